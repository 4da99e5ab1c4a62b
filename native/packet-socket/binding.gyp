{
  'targets': [
    {
      'target_name': 'packet_socket',
      'sources': ['src/packet_socket.c'],
      'cflags': ['-Wall', '-Wextra', '-O2'],
      'defines': ['NAPI_VERSION=8'],
    },
  ],
}
