package org.unionfsjava.e2e.nfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.nfs.support.Dirents;
import org.unionfsjava.e2e.nfs.support.NfsLikeLower;
import org.unionfsjava.e2e.nfs.support.Timings;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 6 on the host, without a VM: unionfs-java over a lower that behaves like an NFS mount in
 * every way the host can reproduce for real ({@link NfsLikeLower}: DT_UNKNOWN from getdents,
 * EOPNOTSUPP from every xattr call, a 1 s attribute cache below the union), changed "on the
 * server" while mounted. What needs a real NFS client (ESTALE after a server restart, silly
 * renames made by the kernel, EACCES from a read-only export) is for the VM test.
 */
@Timeout(180)
@DisplayName("nfs (host): unionfs-java over an NFS-like lower: DT_UNKNOWN, no xattrs, changes and vanishing names under the mount")
class NfsLikeLowerTest {
  /** How long a test waits for a change made on the server at most. */
  private static final Duration POLL_BOUND = Duration.ofSeconds(8);
  /** Allowed: union TTL 1 s + kernel timeouts 1 s + the lower's own 1 s cache + slack. */
  private static final Duration ALLOWED = Duration.ofMillis(4500);

  @TempDir Path root;

  @BeforeAll
  static void available() {
    assumeTrue(Files.isExecutable(TestUnion.launcher()), "needs the built launcher bin/unionfs-java");
    assumeTrue(NfsLikeLower.available(), "needs root, loop devices, mergerfs and /dev/fuse");
  }

  // ---- helpers ----

  private static void write(Path p, String content) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readOrNull(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> names(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Duration awaitSeen(String what, BooleanSupplier seen) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + POLL_BOUND.toNanos();
    while (!seen.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not seen through the union within " + POLL_BOUND);
      }
      Thread.sleep(20);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void assertWithinAllowed(String what, Duration delay, TestReporter reporter) {
    Timings.publish(reporter, what + " visible after ms", delay.toMillis());
    assertTrue(delay.compareTo(ALLOWED) <= 0, what + " took " + delay.toMillis() + " ms, allowed " + ALLOWED.toMillis());
  }

  private static int typeOf(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (a.isRegularFile()) {
      return Dirents.DT_REG;
    }
    if (a.isDirectory()) {
      return Dirents.DT_DIR;
    }
    if (a.isSymbolicLink()) {
      return Dirents.DT_LNK;
    }
    return Dirents.DT_FIFO; // the only other kind these tests make
  }

  /** A small base like examples/demo-base: a file, a directory with a file, a symlink, a fifo. */
  private static void fillBase(Path server) throws Exception {
    write(server.resolve("etc/demo/app.conf"), "key=value\n");
    write(server.resolve("hello.txt"), "hello from the base\n");
    Files.createSymbolicLink(server.resolve("link"), Path.of("hello.txt"));
    Processes.run(Duration.ofSeconds(10), "mkfifo", server.resolve("fifo").toString()).requireSuccess("mkfifo");
    Files.setPosixFilePermissions(server.resolve("hello.txt"), PosixFilePermissions.fromString("rw-r-----"));
    Files.setLastModifiedTime(server.resolve("hello.txt"), FileTime.fromMillis(1_600_000_000_123L));
    Processes.run(Duration.ofSeconds(10), "chown", "-h", "1234:2345", server.resolve("hello.txt").toString(),
        server.resolve("link").toString(), server.resolve("etc/demo").toString()).requireSuccess("chown");
  }

  // ---- the lower really is NFS-like ----

  @Test
  @DisplayName("the NFS-like lower answers DT_UNKNOWN for every entry and EOPNOTSUPP for every xattr call (the premise of the other tests)")
  void nfsLikeLower_getdentsAndXattrs_behaveLikeNfs() throws Exception {
    String device;
    try (NfsLikeLower s = NfsLikeLower.create(root, UnionSystem.JAVA_OVERLAY, 64)) {
      device = s.imageDevice();
      assertTrue(device.startsWith("/dev/loop"), device);
      fillBase(s.server());
      for (Path dir : List.of(s.server(), s.lower())) {
        List<Dirents.Entry> entries = Dirents.list(dir);
        assertTrue(entries.size() >= 4, entries.toString());
        for (Dirents.Entry e : entries) {
          assertEquals(Dirents.DT_UNKNOWN, e.type(), dir + ": " + e);
        }
      }
      assertEquals("EOPNOTSUPP", Dirents.getxattr(s.lower().resolve("hello.txt"), "user.any"));
      assertEquals("EOPNOTSUPP", Dirents.listxattr(s.lower().resolve("hello.txt")));
      assertEquals("EOPNOTSUPP", Dirents.listxattr(s.lower().resolve("etc")));
    }
    // close() unmounted everything and detached the loop device
    String attached = Processes.run(Duration.ofSeconds(10), "losetup", "-j", root.resolve("image.img").toString()).stdout();
    assertEquals("", attached.strip(), "loop device still attached: " + attached);
    assertEquals(null, org.unionfsjava.e2e.support.Mounts.fsTypeAt(root.resolve("lower1")));
    assertEquals(null, org.unionfsjava.e2e.support.Mounts.fsTypeAt(root.resolve("server")));
  }

  // ---- DT_UNKNOWN ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("a DT_UNKNOWN lower: the union lists the same names, each d_type either DT_UNKNOWN or the true type, and lstat and find give the true types")
  void dtUnknownLower_listing_namesSameAndTypesNeverWrong(UnionSystem system, TestReporter reporter) throws Exception {
    try (NfsLikeLower s = NfsLikeLower.create(root, system, 64)) {
      fillBase(s.server());
      s.mountUnion();
      Path mnt = s.union().mnt();

      List<Dirents.Entry> listed = Dirents.list(mnt);
      Set<String> listedNames = new TreeSet<>();
      Map<String, Integer> types = new HashMap<>();
      for (Dirents.Entry e : listed) {
        assertTrue(listedNames.add(e.name()), "listed twice: " + e.name());
        types.put(e.name(), e.type());
      }
      assertEquals(new TreeSet<>(List.of("etc", "fifo", "hello.txt", "link", "lost+found")), listedNames);
      for (String n : listedNames) {
        int real = typeOf(mnt.resolve(n));
        int dtype = types.get(n);
        assertTrue(dtype == Dirents.DT_UNKNOWN || dtype == real, n + ": d_type " + dtype + " but lstat says " + real);
      }
      Timings.publish(reporter, system + " union d_types over a DT_UNKNOWN lower", types);
      assertEquals(Dirents.DT_REG, typeOf(mnt.resolve("hello.txt")));
      assertEquals(Dirents.DT_DIR, typeOf(mnt.resolve("etc")));
      assertEquals(Dirents.DT_LNK, typeOf(mnt.resolve("link")));
      assertEquals(Dirents.DT_FIFO, typeOf(mnt.resolve("fifo")));
      assertEquals("hello from the base\n", Files.readString(mnt.resolve("link")));

      String files = Processes.run(Duration.ofSeconds(30), "find", mnt.toString(), "-type", "f").requireSuccess("find").stdout();
      assertEquals(Set.of(mnt.resolve("hello.txt").toString(), mnt.resolve("etc/demo/app.conf").toString()),
          Set.of(files.strip().split("\n")));
      String dirs = Processes.run(Duration.ofSeconds(30), "find", mnt.toString(), "-mindepth", "1", "-type", "d")
          .requireSuccess("find").stdout();
      assertEquals(Set.of(mnt.resolve("etc").toString(), mnt.resolve("etc/demo").toString(),
          mnt.resolve("lost+found").toString()), Set.of(dirs.strip().split("\n")));
    }
  }

  // ---- no xattrs ----

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("an xattr-less lower: getxattr answers ENODATA, listxattr nothing; setxattr copies up and the xattr lives in the upper only")
  void xattrlessLower_getListSet_answerNoDataThenCopyUp(UnionSystem system) throws Exception {
    try (NfsLikeLower s = NfsLikeLower.create(root, system, 64)) {
      fillBase(s.server());
      Map<String, String> before = BranchChecksum.of(s.server());
      s.mountUnion();
      Path f = s.at("hello.txt");

      assertEquals("ENODATA", Dirents.getxattr(f, "user.any"));
      assertEquals("OK", Dirents.listxattr(f));
      assertEquals("", Processes.run(Duration.ofSeconds(10), "getfattr", "-d", "-m", "-", f.toString()).stdout().strip());

      Processes.run(Duration.ofSeconds(10), "setfattr", "-n", "user.origin", "-v", "union", f.toString()).requireSuccess("setfattr");
      assertEquals("OK", Dirents.getxattr(f, "user.origin"));
      String dumped = Processes.run(Duration.ofSeconds(10), "getfattr", "-n", "user.origin", "--only-values", f.toString())
          .requireSuccess("getfattr").stdout();
      assertEquals("union", dumped);
      assertEquals("OK", Dirents.getxattr(s.union().upper().resolve("hello.txt"), "user.origin"));
      // setxattr copies metadata only: the upper copy has the lower's size, the data stays below
      assertEquals("hello from the base\n".length(), Files.size(s.union().upper().resolve("hello.txt")));
      assertEquals("hello from the base\n", Files.readString(f));
      assertEquals("EOPNOTSUPP", Dirents.getxattr(s.lower().resolve("hello.txt"), "user.origin"));
      s.union().unmount();
      assertEquals(before, BranchChecksum.of(s.server()), "the lower was changed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = UnionSystem.class, names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("copy-up from an xattr-less lower succeeds for a file, a directory, a symlink and a fifo, with mode, owner and mtime kept; the lower is never written")
  void copyUp_fromXattrlessLower_succeedsKeepingMetadata(UnionSystem system) throws Exception {
    try (NfsLikeLower s = NfsLikeLower.create(root, system, 64)) {
      fillBase(s.server());
      Map<String, String> before = BranchChecksum.of(s.server());
      s.mountUnion();

      Files.writeString(s.at("hello.txt"), "appended\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
      Processes.run(Duration.ofSeconds(10), "chmod", "0750", s.at("etc/demo").toString()).requireSuccess("chmod dir");
      Processes.run(Duration.ofSeconds(10), "chown", "-h", "4321:5432", s.at("link").toString()).requireSuccess("chown -h link");
      Processes.run(Duration.ofSeconds(10), "chmod", "0600", s.at("fifo").toString()).requireSuccess("chmod fifo");
      Files.writeString(s.at("etc/demo/new.conf"), "created\n");
      Files.delete(s.at("etc/demo/app.conf"));

      Path up = s.union().upper();
      assertEquals("hello from the base\nappended\n", Files.readString(up.resolve("hello.txt")));
      PosixFileAttributes fa = Files.readAttributes(up.resolve("hello.txt"), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertEquals("rw-r-----", PosixFilePermissions.toString(fa.permissions()));
      assertEquals(1234, (int) Files.getAttribute(up.resolve("hello.txt"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
      assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(up.resolve("etc/demo"), LinkOption.NOFOLLOW_LINKS)));
      assertEquals(1234, (int) Files.getAttribute(up.resolve("etc/demo"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
      assertEquals(Path.of("hello.txt"), Files.readSymbolicLink(up.resolve("link")));
      assertEquals(4321, (int) Files.getAttribute(up.resolve("link"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
      assertEquals(Dirents.DT_FIFO, typeOf(up.resolve("fifo")));
      assertEquals(List.of("new.conf"), names(s.at("etc/demo")));
      assertEquals("hello from the base\nappended\n", Files.readString(s.at("hello.txt")));

      s.union().unmount();
      assertEquals(before, BranchChecksum.of(s.server()), "the lower was changed");
      try (Stream<Path> all = Files.walk(s.server())) {
        for (Path p : all.toList()) {
          String n = p.getFileName() == null ? "" : p.getFileName().toString();
          assertFalse(n.startsWith(".wh.") || n.startsWith(".unionfs") || n.startsWith(".fuse_hidden"), "union name in the lower: " + p);
        }
      }
    }
  }

  // ---- changes under the mount ----

  @Test
  @DisplayName("files changed, added and removed on the server show through the union within TTL + kernel + lower caches (< 4.5 s)")
  void serverSideChanges_mountedChangingMode_visibleWithinBound(TestReporter reporter) throws Exception {
    try (NfsLikeLower s = NfsLikeLower.create(root, UnionSystem.JAVA_OVERLAY, 64)) {
      write(s.server().resolve("conf/a.conf"), "version one");
      write(s.server().resolve("conf/gone.conf"), "soon gone");
      s.mountUnion();
      assertEquals("version one", readOrNull(s.at("conf/a.conf")));
      assertEquals("soon gone", readOrNull(s.at("conf/gone.conf")));
      assertEquals(List.of("a.conf", "gone.conf"), names(s.at("conf")));
      assertFalse(Files.exists(s.at("conf/new.conf")), "looked up once: the miss may be cached");

      write(s.server().resolve("conf/a.conf"), "version two, longer than one");
      assertWithinAllowed("changed content", awaitSeen("changed",
          () -> "version two, longer than one".equals(readOrNull(s.at("conf/a.conf")))), reporter);

      write(s.server().resolve("conf/new.conf"), "added on the server");
      assertWithinAllowed("added file", awaitSeen("added",
          () -> "added on the server".equals(readOrNull(s.at("conf/new.conf"))) && names(s.at("conf")).contains("new.conf")), reporter);

      Files.delete(s.server().resolve("conf/gone.conf"));
      assertWithinAllowed("removed file", awaitSeen("removed",
          () -> !Files.exists(s.at("conf/gone.conf")) && !names(s.at("conf")).contains("gone.conf")), reporter);
      assertEquals(List.of("a.conf", "new.conf"), names(s.at("conf")));
    }
  }

  // ---- names that vanish ----

  @Test
  @DisplayName("5,000 lower names deleted on the server while the union is listed again and again: no error, each listing a subset of the one before, each listed name stats or is ENOENT")
  void namesVanishDuringListing_5000Files_noErrorAndShrinkingSubsets(TestReporter reporter) throws Exception {
    int count = 5000;
    try (NfsLikeLower s = NfsLikeLower.create(root, UnionSystem.JAVA_OVERLAY, 128)) {
      Path serverDir = Files.createDirectories(s.server().resolve("many"));
      Set<String> all = new HashSet<>();
      for (int i = 0; i < count; i++) {
        String n = String.format("file-%05d", i);
        Files.writeString(serverDir.resolve(n), n);
        all.add(n);
      }
      s.mountUnion();
      Path dir = s.at("many");
      assertEquals(all, new HashSet<>(names(dir)));

      List<String> order = new ArrayList<>(all);
      java.util.Collections.shuffle(order, new java.util.Random(6));
      List<Throwable> deleterErrors = new ArrayList<>();
      Thread deleter = new Thread(() -> {
        try {
          for (int i = 0; i < order.size(); i++) {
            Files.delete(serverDir.resolve(order.get(i)));
            if (i % 10 == 9) {
              Thread.sleep(4); // about 2 s for all: several listings see it half done
            }
          }
        } catch (Throwable t) {
          synchronized (deleterErrors) {
            deleterErrors.add(t);
          }
        }
      }, "server-side deleter");

      Set<String> previous = all;
      int listings = 0;
      int statted = 0;
      int vanished = 0;
      long t0 = System.nanoTime();
      deleter.start();
      try {
        boolean finalRound = false;
        while (true) {
          boolean deleterDone = !deleter.isAlive();
          Set<String> listing = new HashSet<>();
          if (listings % 2 == 0) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
              for (Path p : ds) {
                assertTrue(listing.add(p.getFileName().toString()), "listed twice in one listing: " + p);
              }
            }
          } else {
            Processes.Result ls = Processes.run(Duration.ofSeconds(60), "ls", "-1U", dir.toString());
            assertEquals(0, ls.exit(), "ls failed: " + ls.stderr());
            for (String n : ls.stdout().split("\n")) {
              if (!n.isEmpty()) {
                assertTrue(listing.add(n), "ls listed twice: " + n);
              }
            }
          }
          listings++;
          assertTrue(all.containsAll(listing), "a name that never existed was listed");
          assertTrue(previous.containsAll(listing), "a deleted name came back in listing " + listings);
          int k = 0;
          for (String n : listing) {
            if (k++ % 97 != 0) {
              continue;
            }
            statted++;
            try {
              assertTrue(Files.readAttributes(dir.resolve(n), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile());
            } catch (NoSuchFileException gone) {
              vanished++; // deleted between the listing and the stat: the only error allowed
            }
          }
          previous = listing;
          if (finalRound) {
            break;
          }
          if (deleterDone) {
            finalRound = true; // one listing after the last delete
          }
          assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(90).toNanos(), "listing loop took too long");
        }
      } finally {
        deleter.join(60_000);
      }
      assertTrue(deleterErrors.isEmpty(), "the deleter failed: " + deleterErrors);
      Timings.publish(reporter, "listings while deleting", listings);
      Timings.publish(reporter, "names statted / vanished before stat", statted + " / " + vanished);
      Timings.publish(reporter, "listing loop ms", (System.nanoTime() - t0) / 1_000_000);
      assertTrue(listings >= 3, "the deleter was faster than the listings (only " + listings + "): nothing was tested");
      assertEquals(Set.of(), previous, "the last listing, after every delete, must be empty");
      assertEquals(List.of(), names(dir));
    }
  }

  // ---- .nfsXXXX names ----

  @Test
  @DisplayName(".nfsXXXX names that come and go on the lower are shown while there and readable, and vanish without a trace in the upper")
  void nfsSillyRenameNames_comeAndGo_shownThenGoneNothingInUpper(TestReporter reporter) throws Exception {
    try (NfsLikeLower s = NfsLikeLower.create(root, UnionSystem.JAVA_OVERLAY, 64)) {
      write(s.server().resolve("data/report.txt"), "report v1\n");
      s.mountUnion();
      assertEquals(List.of("report.txt"), names(s.at("data")));

      // another client deletes report.txt while it holds it open: its kernel renames it to
      // .nfsXXXX on the server, and removes that name when it closes the file
      try (var held = Files.newInputStream(s.at("data/report.txt"))) {
        String silly = ".nfs0000000000a1b2c300000001";
        Files.move(s.server().resolve("data/report.txt"), s.server().resolve("data/" + silly));
        Duration appeared = awaitSeen("silly-renamed name", () -> names(s.at("data")).equals(List.of(silly)));
        Timings.publish(reporter, ".nfs name shown after ms", appeared.toMillis());
        assertEquals("report v1\n", readOrNull(s.at("data/" + silly)));
        assertEquals(null, readOrNull(s.at("data/report.txt")));
        assertArrayEquals("report v1\n".getBytes(StandardCharsets.UTF_8), held.readAllBytes(), "an open file reads on");

        Files.delete(s.server().resolve("data/" + silly));
        Duration gone = awaitSeen(".nfs name gone", () -> names(s.at("data")).isEmpty() && !Files.exists(s.at("data/" + silly)));
        Timings.publish(reporter, ".nfs name gone after ms", gone.toMillis());
      }
      assertFalse(Files.exists(s.union().upper().resolve("data")), "nothing of these names belongs in the upper");
      try (Stream<Path> up = Files.list(s.union().upper())) {
        assertEquals(List.of(".unionfs-java"), up.map(p -> p.getFileName().toString()).toList());
      }
    }
  }
}
