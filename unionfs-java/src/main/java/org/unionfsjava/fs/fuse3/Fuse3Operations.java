package org.unionfsjava.fs.fuse3;

import jnr.ffi.Pointer;

/**
 * What a filesystem implements for {@link Fuse3Session}: libfuse 3's high-level, path-based
 * operations with names already decoded (one char per byte, {@code NameCharset}) and file info
 * wrapped. Each method returns 0 (or a byte count) or a negative errno and must not throw.
 * {@code fi} is null where libfuse passes NULL. Operations not listed here are left NULL in
 * {@code struct fuse_operations}: libfuse answers ENOSYS and the kernel stops asking (flush,
 * lock, flock, lseek, copy_file_range, ...).
 */
public interface Fuse3Operations {
  /** renameat2's RENAME_NOREPLACE (linux/fs.h). */
  int RENAME_NOREPLACE = 1;

  /** Connection and configuration, set once before the first request. */
  void init(Conn conn, Config cfg);

  void destroy();

  int getattr(String path, Pointer stat, FileInfo fi);

  int readlink(String path, Pointer buf, long size);

  int mknod(String path, int mode, long rdev);

  int mkdir(String path, int mode);

  int unlink(String path);

  int rmdir(String path);

  int symlink(String target, String linkPath);

  int rename(String from, String to, int flags);

  int link(String from, String to);

  int chmod(String path, int mode, FileInfo fi);

  int chown(String path, int uid, int gid, FileInfo fi);

  int truncate(String path, long size, FileInfo fi);

  int open(String path, FileInfo fi);

  int create(String path, int mode, FileInfo fi);

  int read(String path, Pointer buf, long size, long offset, FileInfo fi);

  int write(String path, Pointer buf, long size, long offset, FileInfo fi);

  int statfs(String path, Pointer statvfs);

  int release(String path, FileInfo fi);

  int fsync(String path, boolean dataOnly, FileInfo fi);

  int setxattr(String path, String name, Pointer value, long size, int flags);

  int getxattr(String path, String name, Pointer value, long size);

  int listxattr(String path, Pointer list, long size);

  int removexattr(String path, String name);

  int opendir(String path, FileInfo fi);

  /** @param plus the kernel asked for READDIRPLUS: entries may carry full attributes */
  int readdir(String path, FillDir filler, long offset, FileInfo fi, boolean plus);

  int releasedir(String path, FileInfo fi);

  int access(String path, int mask);

  /** Times as (seconds, nanoseconds); a nanosecond of UTIME_NOW or UTIME_OMIT passes through. */
  int utimens(String path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec, FileInfo fi);

  int fallocate(String path, int mode, long offset, long length, FileInfo fi);

  /** {@code struct fuse_conn_info}: what the kernel offers and what the filesystem wants. */
  final class Conn {
    /** fuse_common.h FUSE_CAP_* bits used by the union. */
    public static final int READDIRPLUS = 1 << 13;
    public static final int READDIRPLUS_AUTO = 1 << 14;
    public static final int PARALLEL_DIROPS = 1 << 18;
    public static final int POSIX_ACL = 1 << 19;
    public static final int HANDLE_KILLPRIV = 1 << 20;

    private final Pointer p;

    Conn(Pointer p) {
      this.p = p;
    }

    public int capable() {
      return p.getInt(Fuse3Abi.CONN_CAPABLE);
    }

    public int want() {
      return p.getInt(Fuse3Abi.CONN_WANT);
    }

    public void want(int bits) {
      p.putInt(Fuse3Abi.CONN_WANT, bits);
    }

    public int maxWrite() {
      return p.getInt(Fuse3Abi.CONN_MAX_WRITE);
    }

    /** Asks for a capability if the kernel offers it; returns whether it is now wanted. */
    public boolean request(int bit) {
      if ((capable() & bit) == 0) {
        return false;
      }
      want(want() | bit);
      return true;
    }

    public void refuse(int bit) {
      want(want() & ~bit);
    }
  }

  /** {@code struct fuse_config}: the high-level library's settings. */
  final class Config {
    private final Pointer p;

    Config(Pointer p) {
      this.p = p;
    }

    public void timeouts(double entry, double negative, double attr) {
      p.putDouble(Fuse3Abi.CFG_ENTRY_TIMEOUT, entry);
      p.putDouble(Fuse3Abi.CFG_NEGATIVE_TIMEOUT, negative);
      p.putDouble(Fuse3Abi.CFG_ATTR_TIMEOUT, attr);
    }

    public void useIno(boolean on) {
      p.putInt(Fuse3Abi.CFG_USE_INO, on ? 1 : 0);
    }

    public void hardRemove(boolean on) {
      p.putInt(Fuse3Abi.CFG_HARD_REMOVE, on ? 1 : 0);
    }

    public void nullpathOk(boolean on) {
      p.putInt(Fuse3Abi.CFG_NULLPATH_OK, on ? 1 : 0);
    }

    public void kernelCache(boolean on) {
      p.putInt(Fuse3Abi.CFG_KERNEL_CACHE, on ? 1 : 0);
    }

    public void autoCache(boolean on) {
      p.putInt(Fuse3Abi.CFG_AUTO_CACHE, on ? 1 : 0);
    }
  }
}
