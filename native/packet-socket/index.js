'use strict';
// The addon built by `node-gyp rebuild` (this package's install script); see src/packet_socket.c.
module.exports = require('./build/Release/packet_socket.node');
