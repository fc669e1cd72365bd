package org.unionfsjava.fs.fuse3;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallContextCache;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Type;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Calls libfuse's {@code fuse_fill_dir_t} (buf, name, stat, off, flags) that readdir receives as a
 * bare function pointer: one jffi call, no per-call proxy object. Name and stat go through one
 * native scratch buffer per thread.
 */
public final class FillDir {
  /** Room for a NUL-terminated name of up to NAME_MAX bytes, after the stat. */
  private static final int NAME_ROOM = 256 + 8;
  private static final CallContext CONTEXT = CallContextCache.getInstance().getCallContext(
      Type.SINT32, new Type[] {Type.POINTER, Type.POINTER, Type.POINTER, Type.SINT64, Type.SINT32},
      CallingConvention.DEFAULT);
  private static final ThreadLocal<Pointer> SCRATCH = new ThreadLocal<>();

  private final long function;
  private final long buf;
  private final Pointer scratch;
  private final int statSize;

  FillDir(Pointer function, Pointer buf, int statSize) {
    this.function = function.address();
    this.buf = buf.address();
    this.statSize = statSize;
    Pointer s = SCRATCH.get();
    if (s == null) {
      s = Memory.allocateDirect(Runtime.getSystemRuntime(), statSize + NAME_ROOM, true);
      SCRATCH.set(s);
    }
    this.scratch = s;
  }

  /** Where the caller writes the entry's {@code struct stat} before {@link #add}. */
  public Pointer stat() {
    return scratch;
  }

  /**
   * Adds one entry (name as bytes, at most 255); true while the buffer has room.
   *
   * @param plus FUSE_FILL_DIR_PLUS: the stat is complete and the kernel need not LOOKUP the name
   */
  public boolean add(byte[] name, long nextOffset, boolean plus) {
    scratch.put(statSize, name, 0, name.length);
    scratch.putByte(statSize + name.length, (byte) 0);
    long a = scratch.address();
    int r = (int) Invoker.getInstance().invokeN5(CONTEXT, function, buf, a + statSize, a, nextOffset,
        plus ? Fuse3Abi.FILL_DIR_PLUS : 0);
    return r == 0;
  }
}
