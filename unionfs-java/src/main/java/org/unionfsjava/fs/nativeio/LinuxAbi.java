package org.unionfsjava.fs.nativeio;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Platform;
import jnr.ffi.Runtime;

/**
 * The loaded libc and the Linux constants (flags, struct sizes) of the running architecture.
 *
 * <p>Only x86_64 and aarch64 (the asm-generic layout) are supported; on anything else the class
 * fails to initialise with a clear message rather than passing wrong flag values to the kernel.
 */
final class LinuxAbi {

  /** The bound libc. */
  static final LibC LIBC;
  /** The jnr runtime of {@link #LIBC}, for memory allocation and errno. */
  static final Runtime RUNTIME;
  /** True on x86_64, false on aarch64. */
  static final boolean X86_64;

  static {
    Platform platform = Platform.getNativePlatform();
    if (platform.getOS() != Platform.OS.LINUX) {
      throw new UnsupportedOperationException("nativeio needs Linux, not " + platform.getOS());
    }
    Platform.CPU cpu = platform.getCPU();
    if (cpu != Platform.CPU.X86_64 && cpu != Platform.CPU.AARCH64) {
      throw new UnsupportedOperationException("nativeio supports x86_64 and aarch64, not " + cpu);
    }
    X86_64 = cpu == Platform.CPU.X86_64;
    LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, Boolean.TRUE)
        .load("c");
    RUNTIME = Runtime.getRuntime(LIBC);
  }

  // open(2) flags. Only O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE differ on aarch64.
  static final int O_RDONLY = 0;
  static final int O_WRONLY = 01;
  static final int O_RDWR = 02;
  static final int O_CREAT = 0100;
  static final int O_EXCL = 0200;
  static final int O_NOCTTY = 0400;
  static final int O_TRUNC = 01000;
  static final int O_APPEND = 02000;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;
  static final int O_DIRECTORY = X86_64 ? 0200000 : 040000;
  static final int O_NOFOLLOW = X86_64 ? 0400000 : 0100000;
  /** O_PATH: a descriptor that only names a place (the same on both). */
  static final int O_PATH = 010000000;

  /** AT_FDCWD: a *at() call relative to the working directory. */
  static final int AT_FDCWD = -100;
  /** AT_SYMLINK_NOFOLLOW for utimensat. */
  static final int AT_SYMLINK_NOFOLLOW = 0x100;

  static final int RENAME_NOREPLACE = 1;
  static final int RENAME_EXCHANGE = 2;
  static final int RENAME_WHITEOUT = 4;
  /** The renameat2 system call number, for libcs without the wrapper. */
  static final long SYS_RENAMEAT2 = X86_64 ? 316 : 276;

  static final int SEEK_DATA = 3;
  static final int SEEK_HOLE = 4;

  /** ioctl FICLONE: make the target fd share the source fd's extents (reflink). */
  static final long FICLONE = 0x40049409L;

  /** sizeof(struct statvfs) on LP64 Linux (112), rounded up. */
  static final int STATVFS_SIZE = 128;

  // d_type values of struct linux_dirent64.
  static final int DT_UNKNOWN = 0;
  static final int DT_FIFO = 1;
  static final int DT_CHR = 2;
  static final int DT_DIR = 4;
  static final int DT_BLK = 6;
  static final int DT_REG = 8;
  static final int DT_LNK = 10;
  static final int DT_SOCK = 12;

  private LinuxAbi() {}

  /** The errno the last call on this thread saved. */
  static int errno() {
    return LastError.getLastError(RUNTIME);
  }
}
