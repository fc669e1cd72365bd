package org.unionfsjava.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import jnr.ffi.LibraryLoader;
import jnr.ffi.types.size_t;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * systemd's readiness protocol (sd_notify(3)) for a union served under a {@code Type=notify}
 * unit: when {@code NOTIFY_SOCKET} names a socket, the server sends {@code READY=1} in one
 * datagram on an AF_UNIX socket once the union is live, and {@code STOPPING=1} when it unmounts.
 * The socket may be a path or, starting with {@code @}, in the abstract namespace. Java 17 has no
 * Unix datagram sockets, so the three libc calls are bound with jnr-ffi; without a socket in the
 * environment nothing is sent and nothing is loaded.
 */
final class SystemdNotify {

  private static final Logger LOG = LogManager.getLogger(SystemdNotify.class);
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 02000000;
  private static final int MSG_NOSIGNAL = 0x4000;
  /** sizeof(struct sockaddr_un) on Linux: the family and a 108-byte path. */
  private static final int SUN_PATH = 108;

  /** The libc calls the protocol needs. */
  public interface LibC {
    int socket(int domain, int type, int protocol);

    long sendto(int fd, byte[] buffer, @size_t long length, int flags, byte[] address,
        int addressLength);

    int close(int fd);
  }

  private SystemdNotify() {
  }

  /** Sends {@code message} (lines NAME=VALUE) if systemd asked for it; true if it was sent. */
  static boolean send(Map<String, String> environment, String message) {
    byte[] address = address(environment.get("NOTIFY_SOCKET"));
    if (address == null) {
      return false;
    }
    try {
      LibC libc = LibraryLoader.create(LibC.class).load("c");
      int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        return false;
      }
      try {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        boolean sent = libc.sendto(fd, bytes, bytes.length, MSG_NOSIGNAL, address,
            address.length) == bytes.length;
        LOG.debug("sd_notify {}: {}", sent ? "sent" : "not sent", message.replace('\n', ' '));
        return sent;
      } finally {
        libc.close(fd);
      }
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("could not tell systemd '{}': {}", message.replace('\n', ' '), e.toString());
      return false;
    }
  }

  /**
   * The {@code struct sockaddr_un} for a NOTIFY_SOCKET value: family, then the path (NUL-ended)
   * or, for {@code @NAME}, a NUL and the name; null for no value or one that does not fit.
   */
  static byte[] address(String socket) {
    if (socket == null || socket.isEmpty() || (socket.charAt(0) != '/' && socket.charAt(0) != '@')) {
      return null;
    }
    byte[] path = socket.getBytes(StandardCharsets.UTF_8);
    boolean abstractName = path[0] == '@';
    if (abstractName) {
      path[0] = 0;
    }
    int pathLength = path.length + (abstractName ? 0 : 1);
    if (pathLength > SUN_PATH) {
      return null;
    }
    ByteBuffer address = ByteBuffer.allocate(2 + pathLength).order(ByteOrder.nativeOrder());
    address.putShort((short) AF_UNIX).put(path);
    return address.array();
  }
}
