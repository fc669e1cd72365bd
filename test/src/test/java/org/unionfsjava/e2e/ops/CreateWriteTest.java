package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.unionfsjava.e2e.support.Fixture.file;
import static org.unionfsjava.e2e.support.Fixture.read;
import static org.unionfsjava.e2e.support.Fixture.readBytes;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Write-side operations on files: create, write, flush/close, fsync, truncate, ftruncate and
 * fallocate. New files land in the upper only; a lower file that is written is copied up and
 * the lower keeps its bytes (DESIGN §2 "Copy-up"). One union per system, a directory per test.
 */
@Timeout(120)
@DisplayName("create, write, flush/close, fsync, truncate, ftruncate, fallocate")
class CreateWriteTest {
  static final String LOWER_TEXT = "0123456789lower\n";

  @TempDir static Path tmp;
  static SharedUnions unions;

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, CreateWriteTest::fill);
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  static void fill(TestUnion u) {
    Path l = u.lower(1);
    Fixture.dir(l.resolve("create"));
    file(l.resolve("append/f"), LOWER_TEXT);
    Fixture.dir(l.resolve("positional"));
    Fixture.dir(l.resolve("close"));
    Fixture.dir(l.resolve("fsync"));
    file(l.resolve("truncate/shrink"), LOWER_TEXT);
    file(l.resolve("truncate/grow"), LOWER_TEXT);
    file(l.resolve("truncate/cmd"), LOWER_TEXT);
    Fixture.dir(l.resolve("ftruncate"));
    Fixture.dir(l.resolve("fallocate"));
    file(l.resolve("fallocate/lower"), LOWER_TEXT);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("a file created through the mount has its content and mode in the view and in the upper, not in the lower")
  void create_newFile_landsInUpperOnly(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.Call fd = Syscalls.open(u.at("create/new"), Syscalls.O_CREAT | Syscalls.O_EXCL | Syscalls.O_WRONLY, 0604);
    fd.requireOk();
    Syscalls.write((int) fd.ret(), "hello".getBytes(StandardCharsets.UTF_8)).requireOk();
    Syscalls.close((int) fd.ret()).requireOk();

    assertEquals("hello", read(u.at("create/new")));
    assertEquals(0604, Fixture.stat(u.at("create/new")).perm(), "mode given to open(O_CREAT)");
    assertEquals("0:0", Fixture.stat(u.at("create/new")).uid() + ":" + Fixture.stat(u.at("create/new")).gid(),
        "owner is the caller (root)");
    assertEquals("hello", read(u.upper().resolve("create/new")), "upper copy");
    assertEquals(0604, Fixture.stat(u.upper().resolve("create/new")).perm(), "upper mode");
    assertFalse(Fixture.exists(u.lower(1).resolve("create/new")), "lower must not get the new file");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("appending to a lower file shows old plus new bytes; the lower keeps the old bytes")
  void write_appendToLowerFile_copiesUpAndAppends(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Files.writeString(u.at("append/f"), "more\n", StandardOpenOption.APPEND);
    assertEquals(LOWER_TEXT + "more\n", read(u.at("append/f")));
    assertEquals(LOWER_TEXT + "more\n", read(u.upper().resolve("append/f")));
    assertEquals(LOWER_TEXT, read(u.lower(1).resolve("append/f")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("positional writes, also past the end (a hole), read back exactly; the hole reads as zeros")
  void write_positionalAndPastEnd_readsBackWithZeroHole(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Path f = u.at("positional/f");
    byte[] block = Fixture.bytes(8192, 7);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      assertEquals(8192, ch.write(ByteBuffer.wrap(block), 0));
      assertEquals(3, ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 100));
      assertEquals(4, ch.write(ByteBuffer.wrap(new byte[] {9, 9, 9, 9}), (1 << 20) - 4));
      ByteBuffer back = ByteBuffer.allocate(3);
      ch.read(back, 100);
      assertArrayEquals(new byte[] {1, 2, 3}, back.array(), "read through the same handle");
    }
    byte[] expected = new byte[1 << 20];
    System.arraycopy(block, 0, expected, 0, 8192);
    expected[100] = 1;
    expected[101] = 2;
    expected[102] = 3;
    Arrays.fill(expected, (1 << 20) - 4, 1 << 20, (byte) 9);
    assertArrayEquals(expected, readBytes(f), "view");
    assertArrayEquals(expected, readBytes(u.upper().resolve("positional/f")), "upper");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("after flush and close, another process reads exactly what was written")
  void flushClose_thenOtherProcessReads_seesAllBytes(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Path f = u.at("close/f");
    try (FileOutputStream out = new FileOutputStream(f.toFile())) {
      for (int i = 0; i < 1000; i++) {
        out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
    }
    Processes.Result wc = Processes.run(Duration.ofSeconds(30), "sh", "-c", "wc -l < '" + f + "'")
        .requireSuccess("wc");
    assertEquals("1000", wc.stdout().trim());
    Processes.Result tail = Processes.run(Duration.ofSeconds(30), "tail", "-n", "1", f.toString())
        .requireSuccess("tail");
    assertEquals("line 999\n", tail.stdout());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("fsync and fdatasync succeed, and the upper holds the written bytes before the file is closed")
  void fsync_openFile_upperHoldsDataBeforeClose(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    byte[] data = Fixture.bytes(200_000, 3);
    try (FileChannel ch = FileChannel.open(u.at("fsync/f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(data));
      ch.force(true);
      ch.force(false);
      assertArrayEquals(data, readBytes(u.upper().resolve("fsync/f")), "upper after fsync, handle still open");
    }
    Syscalls.Call fd = Syscalls.open(u.at("fsync/f"), Syscalls.O_WRONLY | Syscalls.O_APPEND, 0);
    fd.requireOk();
    try {
      Syscalls.write((int) fd.ret(), new byte[] {42}).requireOk();
      assertEquals("OK", Syscalls.fsync((int) fd.ret()).outcome(), "fsync(2)");
    } finally {
      Syscalls.close((int) fd.ret());
    }
    assertEquals(200_001, Files.size(u.upper().resolve("fsync/f")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("truncate(2) of lower files shrinks and grows them (zeros) in the view; lowers keep their bytes")
  void truncate_lowerFiles_shrinkAndGrow(UnionSystem system) {
    TestUnion u = unions.get(system);
    Syscalls.truncate(u.at("truncate/shrink"), 4).requireOk();
    Syscalls.truncate(u.at("truncate/grow"), 100).requireOk();
    Processes.run(Duration.ofSeconds(30), "truncate", "-s", "2", u.at("truncate/cmd").toString())
        .requireSuccess("truncate -s 2");

    assertEquals("0123", read(u.at("truncate/shrink")));
    byte[] grown = new byte[100];
    System.arraycopy(LOWER_TEXT.getBytes(StandardCharsets.UTF_8), 0, grown, 0, LOWER_TEXT.length());
    assertArrayEquals(grown, readBytes(u.at("truncate/grow")));
    assertEquals("01", read(u.at("truncate/cmd")));
    for (String n : new String[] {"shrink", "grow", "cmd"}) {
      assertEquals(LOWER_TEXT, read(u.lower(1).resolve("truncate/" + n)), "lower truncate/" + n);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("ftruncate on an open handle shrinks and grows the file; writes after it land at the right offset")
  void ftruncate_openHandle_changesSize(UnionSystem system) throws IOException {
    TestUnion u = unions.get(system);
    Path f = u.at("ftruncate/f");
    Files.writeString(f, "abcdefghij");
    Syscalls.Call fd = Syscalls.open(f, Syscalls.O_RDWR, 0);
    fd.requireOk();
    try {
      assertEquals("OK", Syscalls.ftruncate((int) fd.ret(), 3).outcome());
      assertEquals(3, Files.size(f), "size after shrinking");
      assertEquals("OK", Syscalls.ftruncate((int) fd.ret(), 6).outcome());
    } finally {
      Syscalls.close((int) fd.ret());
    }
    assertArrayEquals(new byte[] {'a', 'b', 'c', 0, 0, 0}, readBytes(f));
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(1);
      ch.write(ByteBuffer.wrap(new byte[] {'Z'}), 2);
    }
    assertArrayEquals(new byte[] {'a', 0, 'Z'}, readBytes(f));
    assertArrayEquals(new byte[] {'a', 0, 'Z'}, readBytes(u.upper().resolve("ftruncate/f")));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("fallocate -l 1M works on a new file and on a lower file (copied up, old bytes kept)")
  void fallocate_newAndLowerFile_growsTo1MiB(UnionSystem system) {
    TestUnion u = unions.get(system);
    Processes.run(Duration.ofSeconds(30), "fallocate", "-l", "1M", u.at("fallocate/new").toString())
        .requireSuccess("fallocate -l 1M new");
    assertEquals(1L << 20, Fixture.stat(u.at("fallocate/new")).size());
    assertArrayEquals(new byte[1 << 20], readBytes(u.at("fallocate/new")), "allocated space reads as zeros");

    Processes.run(Duration.ofSeconds(30), "fallocate", "-l", "1M", u.at("fallocate/lower").toString())
        .requireSuccess("fallocate -l 1M on a lower file");
    byte[] got = readBytes(u.at("fallocate/lower"));
    assertEquals(1 << 20, got.length);
    assertEquals(LOWER_TEXT, new String(got, 0, LOWER_TEXT.length(), StandardCharsets.UTF_8));
    assertEquals(LOWER_TEXT, read(u.lower(1).resolve("fallocate/lower")), "lower unchanged");
  }
}
