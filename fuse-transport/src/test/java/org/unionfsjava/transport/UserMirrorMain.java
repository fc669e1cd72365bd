package org.unionfsjava.transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A mirror mounted by an ordinary user (through fusermount3) for {@code UserMountTest}, run in
 * a child JVM under another uid: {@code UserMirrorMain SOURCE MOUNTPOINT}. Prints "READY" once
 * served, serves until its standard input closes, then unmounts and prints what it saw.
 */
final class UserMirrorMain {
  private UserMirrorMain() {}

  public static void main(String[] args) throws Exception {
    MirrorFilesystem fs = new MirrorFilesystem(Path.of(args[0]), true);
    try (FuseMount m = FuseMount.mount(Path.of(args[1]), MountOptions.of("usermirror", "fuse-transport-test"))) {
      Session s = new Session(m.deviceFd(), fs, SessionOptions.defaults().withPassthrough(true, 1)).start();
      try {
        Connection c = s.awaitInit(20, TimeUnit.SECONDS);
        System.out.println("READY byFusermount=" + m.byFusermount() + " passthrough=" + c.negotiated(InitFlags.PASSTHROUGH));
        System.out.flush();
        while (System.in.read() >= 0) {
          // serve until the parent closes our standard input
        }
      } finally {
        m.closeWith(s, 10, TimeUnit.SECONDS);
      }
      System.out.println("DONE reads=" + fs.reads.get() + " passthroughOpens=" + fs.passthroughOpens.get()
          + " refused=" + fs.refusedBacking.get() + " errno=" + fs.lastBackingErrno.get()
          + " listed=" + m.listed() + " exists=" + Files.exists(Path.of(args[1], "file")));
    }
  }
}
