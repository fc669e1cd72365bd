package org.unionfsjava.transport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Serves mirrors of one directory for measuring (root): {@code BenchServer SOURCE MNT-PASSTHROUGH
 * MNT-SPLICE MNT-COPY}: passthrough on; off with reads spliced; off with reads copied through
 * the reply buffer. Serves until SIGTERM, then unmounts all.
 */
final class BenchServer {
  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    Path source = Path.of(args[0]);
    List<FuseMount> mounts = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      boolean pt = i == 1;
      MirrorFilesystem fs = new MirrorFilesystem(source, pt);
      fs.splice = i != 3;
      FuseMount m = FuseMount.mount(Path.of(args[i]), MountOptions.of("bench", "fuse-transport-bench"));
      SessionOptions o = SessionOptions.defaults().withPassthrough(pt, 1)
          .withCloneQueues(Boolean.getBoolean("bench.clone")).withWorkers(Integer.getInteger("bench.workers", 2));
      Session s = new Session(m.deviceFd(), fs, o).start();
      s.awaitInit(20, TimeUnit.SECONDS);
      mounts.add(m);
      sessions.add(s);
    }
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (int i = 0; i < mounts.size(); i++) {
        try {
          mounts.get(i).closeWith(sessions.get(i), 10, TimeUnit.SECONDS);
        } catch (Exception e) {
          e.printStackTrace();
        }
      }
      done.countDown();
    }));
    System.out.println("READY");
    System.out.flush();
    done.await();
  }
}
