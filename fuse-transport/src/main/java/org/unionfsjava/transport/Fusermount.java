package org.unionfsjava.transport;

import org.unionfsjava.transport.NativeCalls.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Mounting as an ordinary user through the set-uid fusermount3: it opens /dev/fuse, mounts it,
 * and sends the descriptor back with SCM_RIGHTS over a Unix socket named by the _FUSE_COMMFD
 * environment variable. The child is started with posix_spawn so that one end of the socket
 * pair is its descriptor 3 (ProcessBuilder closes every descriptor above 2).
 */
final class Fusermount {
  private static final Logger LOG = LogManager.getLogger();
  static final String PROGRAM = "fusermount3";
  /** The child's descriptor for its end of the socket pair. */
  private static final int CHILD_FD = 3;
  private static final int MSGHDR_SIZE = 56;
  private static final int CONTROL_SIZE = 64;

  private Fusermount() {}

  static String program() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path p = Path.of(dir, PROGRAM);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return "/usr/bin/" + PROGRAM;
  }

  /** Runs {@code fusermount3 -o options -- mountpoint}; the /dev/fuse descriptor it passed back. */
  static int mount(Path mountpoint, String options) throws IOException {
    LibC c = LibC.INSTANCE;
    int[] pair = new int[2];
    if (c.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, pair) != 0) {
      throw new IOException("socketpair failed: errno " + LibC.errno());
    }
    try {
      String program = program();
      int pid = spawn(program, new String[] {program, "-o", options, "--", mountpoint.toString()},
          new String[] {"_FUSE_COMMFD=" + CHILD_FD, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, pair[1]);
      c.close(pair[1]);
      pair[1] = -1;
      int fd = receiveDescriptor(pair[0]);
      int status = waitFor(pid);
      if (fd < 0) {
        throw new IOException(PROGRAM + " -o " + options + " -- " + mountpoint + " failed (exit status "
            + (status >> 8) + "): no descriptor came back");
      }
      LOG.debug("mounted {} through {} -o {}", mountpoint, PROGRAM, options);
      return fd;
    } finally {
      c.close(pair[0]);
      if (pair[1] >= 0) {
        c.close(pair[1]);
      }
    }
  }

  private static int spawn(String program, String[] argv, String[] envp, int socketFd) throws IOException {
    LibC c = LibC.INSTANCE;
    Pointer actions = Memory.allocateDirect(LibC.RUNTIME, 256, true);
    c.posix_spawn_file_actions_init(actions);
    try {
      c.posix_spawn_file_actions_adddup2(actions, socketFd, CHILD_FD);
      IntByReference pid = new IntByReference();
      int rc = c.posix_spawn(pid, program, actions, null, argv, envp);
      if (rc != 0) {
        throw new IOException("cannot start " + program + ": errno " + rc);
      }
      return pid.getValue();
    } finally {
      c.posix_spawn_file_actions_destroy(actions);
    }
  }

  /** Receives one descriptor (SCM_RIGHTS) from the socket; -1 if the peer closed without one. */
  static int receiveDescriptor(int socket) {
    Pointer data = Memory.allocateDirect(LibC.RUNTIME, 8, true);
    Pointer iov = Memory.allocateDirect(LibC.RUNTIME, 16, true);
    Pointer control = Memory.allocateDirect(LibC.RUNTIME, CONTROL_SIZE, true);
    Pointer msg = Memory.allocateDirect(LibC.RUNTIME, MSGHDR_SIZE, true);
    iov.putAddress(0, data.address());
    iov.putLong(8, 1);
    // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags
    msg.putAddress(16, iov.address());
    msg.putLong(24, 1);
    msg.putAddress(32, control.address());
    msg.putLong(40, CONTROL_SIZE);
    long n;
    do {
      n = LibC.INSTANCE.recvmsg(socket, msg, LibC.MSG_CMSG_CLOEXEC); // the descriptor close-on-exec, as ours
    } while (n < 0 && LibC.errno() == Errno.EINTR);
    if (n <= 0) {
      return -1;
    }
    // struct cmsghdr: size_t len, int level, int type, then the data
    long controlLength = msg.getLong(40);
    if (controlLength < 20 || control.getInt(8) != LibC.SOL_SOCKET || control.getInt(12) != LibC.SCM_RIGHTS) {
      return -1;
    }
    return control.getInt(16);
  }

  private static int waitFor(int pid) {
    IntByReference status = new IntByReference();
    while (LibC.INSTANCE.waitpid(pid, status, 0) < 0) {
      if (LibC.errno() != Errno.EINTR) {
        return -1;
      }
    }
    return status.getValue();
  }

  /** Runs {@code fusermount3 -u [-z] mountpoint}; its exit status. */
  static int unmount(Path mountpoint, boolean lazy) throws IOException {
    List<String> cmd = lazy ? List.of(program(), "-u", "-z", mountpoint.toString())
        : List.of(program(), "-u", mountpoint.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return -1;
    }
  }
}
