package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.dir;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.mode;
import static org.unionfsjava.e2e.support.Fixture.mtime;
import static org.unionfsjava.e2e.support.Fixture.names;
import static org.unionfsjava.e2e.support.Fixture.owner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Fixture.Stat;
import org.unionfsjava.e2e.support.OnDiskFormat;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Read-side operations on a mounted union: getattr, open/read, readdir, access and statfs
 * (DESIGN §2 "Lookup" and "Readdir"). One union per system shared by the class, each test in
 * its own directory.
 */
@Timeout(120)
@DisplayName("getattr, read, readdir, access, statfs")
class StatReadDirTest {
  static final Instant FILE_MTIME = Instant.parse("2001-02-03T04:05:06.123456789Z");
  static final byte[] BIG = Fixture.bytes(1 << 20, 42);
  static final int MANY = 1000;

  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, StatReadDirTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) throws IOException {
    Path l = u.lower(1);
    // getattr
    owner(mtime(mode(file(l.resolve("stat/file"), "lower file\n"), 0640), FILE_MTIME), 1001, 1002);
    owner(mode(dir(l.resolve("stat/dir")), 0750), 1003, 1004);
    Files.createSymbolicLink(l.resolve("stat/link"), Path.of("file"));
    // read
    file(l.resolve("read/big"), BIG);
    // readdir: lower a, b, common; upper common, c
    file(l.resolve("readdir/merged/a"), "a");
    file(l.resolve("readdir/merged/b"), "b");
    file(l.resolve("readdir/merged/common"), "lower");
    file(u.upper().resolve("readdir/merged/common"), "upper");
    file(u.upper().resolve("readdir/merged/c"), "c");
    for (int i = 0; i < MANY; i++) {
      file(l.resolve("readdir/many/" + longName(i)), "");
    }
    file(l.resolve("hidden/x"), "x");
    file(l.resolve("hidden/keep"), "keep");
    file(l.resolve("hidden/d/y"), "y");
    file(l.resolve("hidden/d2/z"), "z");
    // access
    mode(file(l.resolve("access/ro"), "ro"), 0444);
    mode(file(l.resolve("access/rw"), "rw"), 0644);
    mode(file(l.resolve("access/exe"), "#!/bin/sh\n"), 0755);
  }

  static String longName(int i) {
    return String.format("entry-%04d-%s", i, "x".repeat(90));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("getattr of a lower file, directory and symlink reports the lower's kind, mode, owner, size and mtime (ns)")
  void getattr_objectsOnlyInLower_reportLowerAttributes(UnionSystem system) {
    TestUnion u = unions.get(system);
    for (String rel : List.of("stat/file", "stat/dir", "stat/link")) {
      Stat lower = Fixture.stat(u.lower(1).resolve(rel));
      Stat seen = Fixture.stat(u.at(rel));
      assertEquals(lower.kind(), seen.kind(), rel + " kind");
      assertEquals(Integer.toOctalString(lower.perm()), Integer.toOctalString(seen.perm()), rel + " mode");
      assertEquals(lower.uid() + ":" + lower.gid(), seen.uid() + ":" + seen.gid(), rel + " owner");
      if (!"dir".equals(lower.kind())) {
        assertEquals(lower.size(), seen.size(), rel + " size");
        assertEquals(lower.mtime(), seen.mtime(), rel + " mtime");
      }
    }
    assertEquals(FILE_MTIME, Fixture.stat(u.at("stat/file")).mtime().toInstant(), "mtime with nanoseconds");
    assertEquals("file", Syscalls.readlinkTarget(u.at("stat/link")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("reading a 1 MiB lower file returns its bytes, sequentially and at random offsets, and -1 at EOF")
  void read_lowerFile_returnsLowerBytes(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    assertArrayEquals(BIG, Files.readAllBytes(u.at("read/big")), "sequential read");
    try (FileChannel ch = FileChannel.open(u.at("read/big"), StandardOpenOption.READ)) {
      for (long off : new long[] {0, 4095, 500_000, BIG.length - 10}) {
        ByteBuffer buf = ByteBuffer.allocate(10);
        assertEquals(10, ch.read(buf, off), "bytes read at " + off);
        assertArrayEquals(Arrays.copyOfRange(BIG, (int) off, (int) off + 10), buf.array(), "bytes at " + off);
      }
      assertEquals(-1, ch.read(ByteBuffer.allocate(10), BIG.length), "read at EOF");
    }
    assertEquals(BIG.length, Files.size(u.at("read/big")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("readdir of a directory in upper and lower lists the union of names, each once, the upper winning")
  void readdir_mergedDirectory_listsEachNameOnce(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals(List.of("a", "b", "c", "common"), names(u.at("readdir/merged")));
    assertEquals("upper", Fixture.read(u.at("readdir/merged/common")));
    assertEquals("a", Fixture.read(u.at("readdir/merged/a")));
    // another process sees the same listing (ls -A also reads . and ..)
    Processes.Result ls = Processes.run(Duration.ofSeconds(30), "ls", "-1A", u.at("readdir/merged").toString())
        .requireSuccess("ls");
    assertEquals("a\nb\nc\ncommon\n", ls.stdout());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("after whiteouts and an opaque directory, no listing in the mount shows an internal name")
  void readdir_afterWhiteoutsAndOpaqueDir_showsNoInternalNames(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Files.delete(u.at("hidden/x"));
    Processes.run(Duration.ofSeconds(30), "rm", "-rf", u.at("hidden/d").toString()).requireSuccess("rm -rf");
    Processes.run(Duration.ofSeconds(30), "rm", "-rf", u.at("hidden/d2").toString()).requireSuccess("rm -rf");
    Files.createDirectory(u.at("hidden/d2"));
    file(u.at("hidden/d2/new"), "new");

    assertEquals(List.of("d2", "keep"), names(u.at("hidden")));
    assertEquals(List.of("new"), names(u.at("hidden/d2")));
    List<String> all;
    try (Stream<Path> walk = Files.walk(u.mnt())) {
      all = walk.map(p -> p.getFileName() == null ? "" : p.getFileName().toString()).collect(Collectors.toList());
    }
    List<String> internal = all.stream().filter(OnDiskFormat::isInternalName).collect(Collectors.toList());
    assertEquals(List.of(), internal, "internal names visible in the mount");
    assertEquals(List.of("access", "hidden", "read", "readdir", "stat"), names(u.mnt()),
        "the mount root shows only the branches' own names (no work or state directory)");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a listing of 1000 lower names that runs while files are added still returns each old name exactly once")
  void readdir_whileFilesAreAdded_listsEveryOldNameOnce(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Path dir = u.at("readdir/many");
    Map<String, Integer> seen = new HashMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      Iterator<Path> it = ds.iterator();
      int read = 0;
      while (it.hasNext()) {
        seen.merge(it.next().getFileName().toString(), 1, Integer::sum);
        if (++read == MANY / 2) {
          for (int i = 0; i < 100; i++) {
            file(dir.resolve("added-" + i), "");
          }
        }
      }
      assertTrue(read >= MANY, "only " + read + " entries read");
    }
    List<String> missingOrTwice = new ArrayList<>();
    for (int i = 0; i < MANY; i++) {
      Integer n = seen.get(longName(i));
      if (n == null || n != 1) {
        missingOrTwice.add(longName(i).substring(0, 10) + "=" + n);
      }
    }
    assertEquals(List.of(), missingOrTwice, "old names not listed exactly once");
    List<String> dups = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
        .collect(Collectors.toList());
    assertEquals(List.of(), dups, "names listed twice");
    assertEquals(MANY + 100, names(dir).size(), "a new listing shows old and added names");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("access(2) on lower files answers as for root on a plain directory: W_OK even for 0444, X_OK by mode")
  void access_lowerFiles_answersByModeAsRoot(UnionSystem system) {
    TestUnion u = unions.get(system);
    assertEquals("OK", Syscalls.access(u.at("access/ro"), Syscalls.R_OK).outcome());
    assertEquals("OK", Syscalls.access(u.at("access/ro"), Syscalls.W_OK).outcome(), "root may write a 0444 file");
    assertEquals("EACCES", Syscalls.access(u.at("access/rw"), Syscalls.X_OK).outcome(), "no x bit at all");
    assertEquals("OK", Syscalls.access(u.at("access/exe"), Syscalls.X_OK).outcome());
    assertEquals("OK", Syscalls.access(u.at("access"), Syscalls.X_OK).outcome(), "directory search");
    assertEquals("ENOENT", Syscalls.access(u.at("access/missing"), Syscalls.F_OK).outcome());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("statfs works on the mount: df lists it with a size, stat -f reports blocks")
  void statfs_onMount_reportsSizes(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Processes.Result df = Processes.run(Duration.ofSeconds(30), "df", "-P", "-k", u.mnt().toString())
        .requireSuccess("df");
    String[] lines = df.stdout().strip().split("\n");
    String[] cols = lines[lines.length - 1].trim().split("\\s+");
    assertEquals(u.mnt().toString(), cols[cols.length - 1], "df's mount column: " + df.stdout());
    assertTrue(Long.parseLong(cols[1]) > 0, "df total size: " + df.stdout());
    Processes.Result sf = Processes.run(Duration.ofSeconds(30), "stat", "-f", "-c", "%b %S %l", u.mnt().toString())
        .requireSuccess("stat -f");
    String[] f = sf.stdout().trim().split(" ");
    assertTrue(Long.parseLong(f[0]) > 0 && Long.parseLong(f[1]) > 0, "blocks and block size: " + sf.stdout());
    assertTrue(Long.parseLong(f[2]) >= 255, "max name length: " + sf.stdout());
    assertTrue(Files.getFileStore(u.mnt()).getTotalSpace() > 0);
  }
}
