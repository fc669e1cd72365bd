package org.unionfsjava.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real mount (mount(2) as root) of the mirror filesystem, served by the transport. */
@Timeout(120)
class MirrorMountTest {
  @TempDir
  Path dir;

  @Test
  void mount_basicOperations_matchTheSourceDirectory() throws Exception {
    basicOperations(SessionOptions.defaults());
  }

  /** The same with three workers, each reading its own cloned queue (FUSE_DEV_IOC_CLONE). */
  @Test
  void clonedQueues_basicOperationsAndParallelReads_work() throws Exception {
    basicOperations(SessionOptions.defaults().withWorkers(3).withCloneQueues(true));
  }

  private void basicOperations(SessionOptions options) throws Exception {
    try (MountedMirror m = MountedMirror.mount(dir, options)) {
      Path mnt = m.mountpoint;
      String line = Files.readString(Path.of("/proc/self/mounts")).lines()
          .filter(l -> l.contains(" " + mnt + " ")).findFirst().orElseThrow();
      assertTrue(line.startsWith("mirror " + mnt + " fuse.fuse-transport-test rw,nosuid,nodev"), line);
      assertTrue(line.contains("user_id=0,group_id=0,default_permissions"), line);
      assertFalse(m.mount.byFusermount());
      Files.writeString(m.source.resolve("hello.txt"), "hello from the source\n");
      Files.createDirectories(m.source.resolve("sub/deeper"));

      // lookup, getattr
      assertEquals(22, Files.size(mnt.resolve("hello.txt")));
      assertTrue(Files.isDirectory(mnt.resolve("sub/deeper")));
      assertFalse(Files.exists(mnt.resolve("missing")));
      // readdir(plus)
      try (Stream<Path> s = Files.list(mnt)) {
        assertEquals(List.of("hello.txt", "sub"), s.map(p -> p.getFileName().toString()).sorted().toList());
      }
      // read
      assertEquals("hello from the source\n", Files.readString(mnt.resolve("hello.txt")));
      // create, write, read back through the source
      Files.writeString(mnt.resolve("new.txt"), "written through FUSE");
      assertEquals("written through FUSE", Files.readString(m.source.resolve("new.txt")));
      assertEquals("written through FUSE", Files.readString(mnt.resolve("new.txt")));
      // rename, unlink
      Files.move(mnt.resolve("new.txt"), mnt.resolve("sub/renamed.txt"));
      assertTrue(Files.exists(m.source.resolve("sub/renamed.txt")));
      assertFalse(Files.exists(m.source.resolve("new.txt")));
      Files.delete(mnt.resolve("sub/renamed.txt"));
      assertFalse(Files.exists(m.source.resolve("sub/renamed.txt")));
      assertThrows(NoSuchFileException.class, () -> Files.delete(mnt.resolve("sub/renamed.txt")));
      // mkdir, rmdir
      Files.createDirectory(mnt.resolve("made"));
      assertTrue(Files.isDirectory(m.source.resolve("made")));
      Files.delete(mnt.resolve("made"));
      assertFalse(Files.exists(m.source.resolve("made")));
      // symlinks
      Files.createSymbolicLink(mnt.resolve("link"), Path.of("hello.txt"));
      assertEquals(Path.of("hello.txt"), Files.readSymbolicLink(mnt.resolve("link")));
      assertEquals(Path.of("hello.txt"), Files.readSymbolicLink(m.source.resolve("link")));
      assertEquals("hello from the source\n", Files.readString(mnt.resolve("link")));
      // xattrs
      UserDefinedFileAttributeView x = Files.getFileAttributeView(mnt.resolve("hello.txt"),
          UserDefinedFileAttributeView.class);
      x.write("colour", StandardCharsets.UTF_8.encode("blue"));
      assertEquals(List.of("colour"), x.list());
      ByteBuffer v = ByteBuffer.allocate(x.size("colour"));
      x.read("colour", v);
      assertEquals("blue", new String(v.array(), StandardCharsets.UTF_8));
      assertEquals(List.of("colour"), Files.getFileAttributeView(m.source.resolve("hello.txt"),
          UserDefinedFileAttributeView.class).list());
      x.delete("colour");
      assertEquals(List.of(), x.list());
      // setattr: chmod, truncate
      Files.setAttribute(mnt.resolve("hello.txt"), "unix:mode", 0640);
      assertEquals(0100640, (Integer) Files.getAttribute(m.source.resolve("hello.txt"), "unix:mode"));
      try (var ch = java.nio.channels.FileChannel.open(mnt.resolve("hello.txt"), java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(5);
      }
      assertEquals("hello", Files.readString(mnt.resolve("hello.txt")));
      // inode numbers and statfs
      Map<String, Object> a = Files.readAttributes(mnt.resolve("hello.txt"), "unix:ino,nlink", LinkOption.NOFOLLOW_LINKS);
      assertEquals(Files.getAttribute(m.source.resolve("hello.txt"), "unix:ino"), a.get("ino"));
      assertEquals(Files.getFileStore(m.source).getTotalSpace() / 4096, Files.getFileStore(mnt).getTotalSpace() / 4096);
      assertTrue(m.session.count(Opcode.LOOKUP) > 0);
      // parallel readers of 16 files
      for (int i = 0; i < 16; i++) {
        Files.write(m.source.resolve("p" + i), new byte[(i + 1) << 16]);
      }
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        List<java.util.concurrent.Future<Integer>> sizes = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
          Path p = mnt.resolve("p" + i);
          sizes.add(pool.submit(() -> Files.readAllBytes(p).length));
        }
        for (int i = 0; i < 16; i++) {
          assertEquals((i + 1) << 16, sizes.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
      }
      assertTrue(m.connection.negotiated(InitFlags.DO_READDIRPLUS));
    }
  }

  @Test
  void bigFile_writtenAndRead_inOneMiBRequests() throws Exception {
    try (MountedMirror m = MountedMirror.mount(dir, SessionOptions.defaults())) {
      byte[] data = new byte[8 << 20];
      new java.util.Random(7).nextBytes(data);
      try (var ch = java.nio.channels.FileChannel.open(m.mountpoint.resolve("big"),
          java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length).put(data).flip();
        while (b.hasRemaining()) {
          ch.write(b); // one write(2) of 8 MiB: the kernel cuts it into max_pages requests
        }
      }
      assertArrayEquals(data, Files.readAllBytes(m.source.resolve("big")));
      assertArrayEquals(data, Files.readAllBytes(m.mountpoint.resolve("big")));
      assertTrue(m.fs.writes.get() <= 16, "1 MiB writes: " + m.fs.writes.get() + " WRITE requests for 8 MiB");
    }
  }
}
