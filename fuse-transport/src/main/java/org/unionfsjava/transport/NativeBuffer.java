package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/** A direct little-endian ByteBuffer and its native address, allocated once and reused. */
final class NativeBuffer {
  final ByteBuffer buffer;
  final long address;

  NativeBuffer(int capacity) {
    buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
    address = addressOf(buffer);
  }

  /** The native address of a direct buffer's first byte (index 0, not its position). */
  static long addressOf(ByteBuffer direct) {
    if (!direct.isDirect()) {
      throw new IllegalArgumentException("not a direct buffer");
    }
    return Pointer.wrap(LibC.RUNTIME, direct).address() - direct.position();
  }

  int capacity() {
    return buffer.capacity();
  }
}
