package org.unionfsjava.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Passthrough on this kernel: an OPEN answered FOPEN_PASSTHROUGH with a backing id makes the
 * kernel read, write and map the backing file itself (no READ or WRITE reaches the handler), and
 * where the kernel refuses the backing file the same bytes come through READ.
 */
@Timeout(120)
class PassthroughTest {
  @TempDir
  Path dir;

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void passthroughOn_readsWritesAndMaps_reachNoReadOrWriteHandler() throws Exception {
    SessionOptions o = SessionOptions.defaults().withPassthrough(true, 1);
    try (MountedMirror m = MountedMirror.mount(dir, o)) {
      assertTrue(m.connection.negotiated(InitFlags.PASSTHROUGH), m.connection.toString());
      byte[] data = random(4 << 20, 1);
      Files.write(m.source.resolve("data"), data);

      assertArrayEquals(data, Files.readAllBytes(m.mountpoint.resolve("data")));
      // mmap in another process: a mapping in this JVM would keep the file open past the unmount
      String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
      assertEquals(digest, output("python3", "-c", "import hashlib,mmap,sys\n"
          + "f=open(sys.argv[1],'rb'); m=mmap.mmap(f.fileno(),0,prot=mmap.PROT_READ)\n"
          + "print(hashlib.sha256(m[:]).hexdigest())", m.mountpoint.resolve("data").toString()).trim());
      Files.write(m.mountpoint.resolve("written"), "through the backing file".getBytes(StandardCharsets.UTF_8));
      try (FileChannel ch = FileChannel.open(m.mountpoint.resolve("data"), StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap("OVERWRITTEN".getBytes(StandardCharsets.UTF_8)), 100);
      }
      assertEquals("through the backing file", Files.readString(m.source.resolve("written")));
      assertEquals("OVERWRITTEN", new String(Files.readAllBytes(m.source.resolve("data")), 100, 11, StandardCharsets.UTF_8));

      assertEquals(0, m.fs.refusedBacking.get(), "backing refused, errno " + m.fs.lastBackingErrno.get());
      assertTrue(m.fs.passthroughOpens.get() >= 4, m.fs.passthroughOpens + " passthrough opens");
      assertEquals(0, m.fs.reads.get(), "READ requests that reached the handler");
      assertEquals(0, m.fs.writes.get(), "WRITE requests that reached the handler");
      assertEquals(0, m.session.count(Opcode.READ));
      assertEquals(0, m.session.count(Opcode.WRITE));

      // which files the kernel takes as backing files
      int forDirectory = m.session.backingFiles().open(m.source, false);
      assertEquals(-Errno.EISDIR, forDirectory, "a directory as backing file (6.18: regular files only)");
      int id = m.session.backingFiles().open(m.source.resolve("data"), false);
      assertTrue(id > 0, "backing id " + id);
      assertEquals(0, m.session.backingFiles().close(id));
      assertEquals(-Errno.ENOENT, m.session.backingFiles().close(id), "a closed id");
    }
  }

  @Test
  void passthroughOff_sameReads_reachTheReadHandler() throws Exception {
    try (MountedMirror m = MountedMirror.mount(dir, SessionOptions.defaults())) {
      byte[] data = random(4 << 20, 2);
      Files.write(m.source.resolve("data"), data);
      assertArrayEquals(data, Files.readAllBytes(m.mountpoint.resolve("data")));
      assertTrue(m.fs.reads.get() >= 4, m.fs.reads + " READ requests for 4 MiB");
      assertEquals(m.fs.reads.get(), m.session.count(Opcode.READ));
    }
  }

  /**
   * A backing file on an overlayfs is stacked one deep: with max_stack_depth 1 the kernel refuses
   * it (ELOOP), and the mirror serves the file through READ, the same bytes.
   */
  @Test
  void backingFileStackedTooDeep_isRefused_andReadsFallBackToTheDaemon() throws Exception {
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Path merged = Files.createDirectories(dir.resolve("merged"));
    byte[] data = random(3 << 20, 3);
    Files.write(lower.resolve("data"), data);
    run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work,
        merged.toString());
    try {
      Path stack = Files.createDirectories(dir.resolve("stack"));
      Files.createDirectories(stack.resolve("mnt"));
      MirrorFilesystem fs = new MirrorFilesystem(merged, true);
      try (FuseMount fm = FuseMount.mount(stack.resolve("mnt"), MountOptions.of("mirror", "fuse-transport-test"))) {
        Session s = new Session(fm.deviceFd(), fs, SessionOptions.defaults().withPassthrough(true, 1)).start();
        try {
          assertTrue(s.awaitInit(20, TimeUnit.SECONDS).negotiated(InitFlags.PASSTHROUGH));
          assertArrayEquals(data, Files.readAllBytes(stack.resolve("mnt/data")));
          assertEquals(Errno.ELOOP, fs.lastBackingErrno.get(), "errno of FUSE_DEV_IOC_BACKING_OPEN");
          assertTrue(fs.refusedBacking.get() >= 1);
          assertEquals(0, fs.passthroughOpens.get());
          assertTrue(fs.reads.get() >= 3, fs.reads + " READ requests");
        } finally {
          fm.closeWith(s, 10, TimeUnit.SECONDS);
        }
      }
    } finally {
      run("umount", "-l", merged.toString());
    }
  }

  /** With max_stack_depth 2 the same overlayfs file is accepted as a backing file. */
  @Test
  void backingFileOnOverlay_withStackDepthTwo_isPassedThrough() throws Exception {
    Path lower = Files.createDirectories(dir.resolve("lower"));
    Path upper = Files.createDirectories(dir.resolve("upper"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Path merged = Files.createDirectories(dir.resolve("merged"));
    byte[] data = random(1 << 20, 4);
    Files.write(lower.resolve("data"), data);
    run("mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work,
        merged.toString());
    try {
      Path mnt = Files.createDirectories(dir.resolve("mnt"));
      MirrorFilesystem fs = new MirrorFilesystem(merged, true);
      try (FuseMount fm = FuseMount.mount(mnt, MountOptions.of("mirror", "fuse-transport-test"))) {
        Session s = new Session(fm.deviceFd(), fs, SessionOptions.defaults().withPassthrough(true, 2)).start();
        try {
          s.awaitInit(20, TimeUnit.SECONDS);
          assertArrayEquals(data, Files.readAllBytes(mnt.resolve("data")));
          assertEquals(0, fs.refusedBacking.get(), "refused with errno " + fs.lastBackingErrno.get());
          assertEquals(0, fs.reads.get());
        } finally {
          fm.closeWith(s, 10, TimeUnit.SECONDS);
        }
      }
    } finally {
      run("umount", "-l", merged.toString());
    }
  }

  static String output(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + List.of(cmd));
    assertEquals(0, p.exitValue(), List.of(cmd) + ": " + out);
    return out;
  }

  static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + List.of(cmd));
    assertEquals(0, p.exitValue(), List.of(cmd) + ": " + out);
  }
}
