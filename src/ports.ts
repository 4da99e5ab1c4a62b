/** Default SMTP ports: 25, 465 (implicit TLS), 587, 2525 and Exchange's 475 and 717. */
export const DEFAULT_PORTS = [25, 465, 587, 2525, 475, 717] as const;

/** Ports where TLS starts with the connection (RFC 8314 submissions on 465). */
export const IMPLICIT_TLS_PORTS = [465] as const;
