package org.unionfsjava.transport;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * Holder of {@link LibC}: jnr-ffi generates its implementation in another class loader, which
 * needs the interface public, while nothing outside this package should see a jnr type. A
 * public interface nested in a package-private class is both.
 */
final class NativeCalls {
  private NativeCalls() {}

  /**
   * The few C library calls the transport makes, bound with jnr-ffi. Buffers are passed as raw
   * addresses ({@code long}) of direct ByteBuffers or native memory, so the hot path (read, write,
   * writev, splice) converts nothing. Every call sets errno for {@link #errno()}.
   */
  public interface LibC {
    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
    Runtime RUNTIME = Runtime.getRuntime(INSTANCE);

    /** The errno of this thread's last call. */
    static int errno() {
      return RUNTIME.getLastError();
    }

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_NONBLOCK = 04000;
    int O_CLOEXEC = 02000000;


    int open(String path, int flags, int mode);

    int close(int fd);

    int fsync(int fd);

    long read(int fd, long buf, long count);

    long write(int fd, long buf, long count);

    /** iov: an array of struct iovec {void *base; size_t len} at {@code iov}. */
    long writev(int fd, long iov, int iovcnt);

    long pread(int fd, long buf, long count, long offset);

    long pwrite(int fd, long buf, long count, long offset);

    int ioctl(int fd, long request, long arg);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    int pipe2(@Out int[] fds, int flags);

    int fcntl(int fd, int cmd, int arg);

    /** offIn: a loff_t in and out, or null to use (and move) the descriptor's position. */
    long splice(int fdIn, Pointer offIn, int fdOut, Pointer offOut, long len, int flags);

    int socketpair(int domain, int type, int protocol, @Out int[] sv);

    long recvmsg(int sockfd, Pointer msg, int flags);

    int posix_spawn_file_actions_init(Pointer actions);

    int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newfd);

    int posix_spawn_file_actions_destroy(Pointer actions);

    /** argv and envp as String[] become NULL-terminated char* arrays. */
    int posix_spawn(IntByReference pid, String path, Pointer actions, Pointer attrp, String[] argv, String[] envp);

    int waitpid(int pid, IntByReference status, int options);

    int MS_NOSUID = 2;
    int MS_NODEV = 4;
    int MNT_DETACH = 2;
    int AF_UNIX = 1;
    int SOCK_STREAM = 1;
    int SOCK_CLOEXEC = 02000000;
    int F_SETPIPE_SZ = 1031;
    int SPLICE_F_MOVE = 1;
    int SPLICE_F_NONBLOCK = 2;
    int SOL_SOCKET = 1;
    int SCM_RIGHTS = 1;
    int MSG_CMSG_CLOEXEC = 0x40000000;
  }
}
