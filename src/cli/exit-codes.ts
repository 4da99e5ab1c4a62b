/** Exit status, as ../shared/spec/interface.md defines it. */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
} as const;
