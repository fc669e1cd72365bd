package org.unionfsjava.lifecycle;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls the tools need beyond the branch I/O: syncfs before a tree is renamed into
 * place, file handles and the filesystem's UUID for the kernel's index format, isatty for the
 * progress bar. Public only because jnr-ffi generates the implementation in its own class loader;
 * use {@link ToolCalls}.
 */
public interface ToolLibc {
  @SaveError
  int open(@In byte[] path, int flags, int mode);

  @SaveError
  int close(int fd);

  @SaveError
  int syncfs(int fd);

  @SaveError
  int isatty(int fd);

  /** name_to_handle_at(2); {@code handle} is a struct file_handle (bytes, type, f_handle[]). */
  @SaveError
  int name_to_handle_at(int dirfd, @In byte[] path, byte[] handle, @Out int[] mountId, int flags);

  /** ioctl(2) with a buffer argument (FS_IOC_GETFSUUID). */
  @SaveError
  int ioctl(int fd, long request, byte[] arg);
}
