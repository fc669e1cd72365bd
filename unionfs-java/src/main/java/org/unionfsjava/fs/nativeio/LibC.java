package org.unionfsjava.fs.nativeio;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The glibc functions the union needs, bound with jnr-ffi; every call that can fail saves errno.
 *
 * <p>Paths and xattr names are NUL-terminated byte arrays made by {@link NativeNames#encode}, so
 * that the one String/byte conversion of the project stays in one place (jnr-ffi's own String
 * marshalling would use the JVM's default charset). Return values are the raw C results: -1 and
 * errno ({@link LinuxAbi#errno()}) on failure. {@code ssize_t}/{@code off_t} map to {@code long}.
 * Variadic functions ({@code open}, {@code ioctl}, {@code syscall}) are declared
 * with fixed integer/pointer arguments, which the x86_64 and aarch64 Linux ABIs pass the same way.
 *
 * <p>Public only because jnr-ffi generates the implementation in its own class loader, which
 * cannot implement a package-private interface; use {@link NativeBranchIo} and {@link NativeFile}.
 */
public interface LibC {

  /** lstat(2) into a native {@code struct stat} buffer of at least {@link StatLayout#size()}. */
  @SaveError
  int lstat(@In byte[] path, Pointer statBuf);

  /** stat(2), following symlinks. */
  @SaveError
  int stat(@In byte[] path, Pointer statBuf);

  /** fstat(2). */
  @SaveError
  int fstat(int fd, Pointer statBuf);

  /** open(2) with a mode (ignored by the kernel unless O_CREAT/O_TMPFILE). */
  @SaveError
  int open(@In byte[] path, int flags, int mode);

  /** close(2). */
  @SaveError
  int close(int fd);

  /** pread(2) into native memory (the FUSE buffer: no copy). */
  @SaveError
  long pread(int fd, Pointer buf, long count, long offset);

  /** pwrite(2) from native memory (the FUSE buffer: no copy). */
  @SaveError
  long pwrite(int fd, Pointer buf, long count, long offset);

  /** pread(2) into a Java array (copied out of a temporary native buffer). */
  @SaveError
  long pread(int fd, @Out byte[] buf, long count, long offset);

  /** pwrite(2) from a Java array (copied into a temporary native buffer). */
  @SaveError
  long pwrite(int fd, @In byte[] buf, long count, long offset);

  /** fsync(2). */
  @SaveError
  int fsync(int fd);

  /** fdatasync(2). */
  @SaveError
  int fdatasync(int fd);

  /** ftruncate(2). */
  @SaveError
  int ftruncate(int fd, long length);

  /** truncate(2). */
  @SaveError
  int truncate(@In byte[] path, long length);

  /** fallocate(2). */
  @SaveError
  int fallocate(int fd, int mode, long offset, long length);

  /** mkdir(2). */
  @SaveError
  int mkdir(@In byte[] path, int mode);

  /** mknod(2) (an exported symbol since glibc 2.33). */
  @SaveError
  int mknod(@In byte[] path, int mode, long dev);

  /** symlink(2): {@code link} will point to {@code target}. */
  @SaveError
  int symlink(@In byte[] target, @In byte[] link);

  /** readlink(2): no NUL is appended; the result is the byte count. */
  @SaveError
  long readlink(@In byte[] path, @Out byte[] buf, long size);

  /** link(2) (does not follow a symlink source on Linux). */
  @SaveError
  int link(@In byte[] existing, @In byte[] newLink);

  /** unlink(2). */
  @SaveError
  int unlink(@In byte[] path);

  /** rmdir(2). */
  @SaveError
  int rmdir(@In byte[] path);

  /** rename(2). */
  @SaveError
  int rename(@In byte[] from, @In byte[] to);

  /** renameat2(2) (glibc 2.28+); see {@link #syscall} for older libcs. */
  @SaveError
  int renameat2(int oldDirFd, @In byte[] from, int newDirFd, @In byte[] to, int flags);

  /** syscall(2) shaped for renameat2: (nr, olddirfd, old, newdirfd, new, flags). */
  @SaveError
  long syscall(long number, long oldDirFd, @In byte[] from, long newDirFd, @In byte[] to,
      long flags);

  /** chmod(2). */
  @SaveError
  int chmod(@In byte[] path, int mode);

  /** lchown(2). */
  @SaveError
  int lchown(@In byte[] path, int uid, int gid);

  /** utimensat(2); {@code times} is {atime sec, atime nsec, mtime sec, mtime nsec}. */
  @SaveError
  int utimensat(int dirFd, @In byte[] path, @In long[] times, int flags);

  /** lgetxattr(2). */
  @SaveError
  long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

  /** lsetxattr(2). */
  @SaveError
  int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

  /** llistxattr(2): NUL-separated names. */
  @SaveError
  long llistxattr(@In byte[] path, @Out byte[] list, long size);

  /** lremovexattr(2). */
  @SaveError
  int lremovexattr(@In byte[] path, @In byte[] name);

  /** fgetxattr(2). */
  @SaveError
  long fgetxattr(int fd, @In byte[] name, @Out byte[] value, long size);

  /** fsetxattr(2). */
  @SaveError
  int fsetxattr(int fd, @In byte[] name, @In byte[] value, long size, int flags);

  /** flistxattr(2). */
  @SaveError
  long flistxattr(int fd, @Out byte[] list, long size);

  /** statfs(2) into a native {@code struct statfs} (f_type first). */
  @SaveError
  int statfs(@In byte[] path, Pointer buf);

  /** statvfs(3) into a native {@code struct statvfs}. */
  @SaveError
  int statvfs(@In byte[] path, Pointer buf);

  /** umask(2): cannot fail, returns the previous mask. */
  @IgnoreError
  int umask(int mask);

  /** copy_file_range(2) with explicit offsets (one-element arrays, updated by the kernel). */
  @SaveError
  long copy_file_range(int fdIn, long[] offIn, int fdOut, long[] offOut, long length, int flags);

  /** ioctl(2) with an integer argument (FICLONE takes the source fd). */
  @SaveError
  int ioctl(int fd, long request, long arg);

  /** lseek(2), including SEEK_DATA/SEEK_HOLE. */
  @SaveError
  long lseek(int fd, long offset, int whence);

  /** getdents64(2) (glibc 2.30+): {@code struct linux_dirent64} records. */
  @SaveError
  long getdents64(int fd, Pointer buf, long count);

  /** geteuid(2): cannot fail. */
  @IgnoreError
  int geteuid();

  /** flock(2): LOCK_EX | LOCK_NB on a descriptor (UpperLock); released when its last copy closes. */
  @SaveError
  int flock(int fd, int operation);
}
