package org.unionfsjava.fs.nativeio;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Native scratch buffers owned by one thread, so the hot calls (lstat, getdents64) allocate no
 * native memory; each buffer is only valid until the owning thread's next call that uses it.
 */
final class ThreadBuffers {

  /** Size of the getdents64 buffer: 32 KiB holds ~700 typical entries per system call. */
  static final int DIRENT_BUFFER_SIZE = 32 * 1024;

  private static final ThreadLocal<ThreadBuffers> CURRENT =
      ThreadLocal.withInitial(ThreadBuffers::new);

  /** Large enough for struct stat (144), struct statvfs (112) and struct flock (32). */
  final Pointer small = Memory.allocateDirect(LinuxAbi.RUNTIME, 256);
  private Pointer dirents;
  private byte[] direntBytes;

  private ThreadBuffers() {}

  /** The buffers of the calling thread. */
  static ThreadBuffers get() {
    return CURRENT.get();
  }

  /** The native getdents64 buffer, allocated on first use. */
  Pointer dirents() {
    if (dirents == null) {
      dirents = Memory.allocateDirect(LinuxAbi.RUNTIME, DIRENT_BUFFER_SIZE);
    }
    return dirents;
  }

  /** A Java copy target of the same size as {@link #dirents()}. */
  byte[] direntBytes() {
    if (direntBytes == null) {
      direntBytes = new byte[DIRENT_BUFFER_SIZE];
    }
    return direntBytes;
  }
}
