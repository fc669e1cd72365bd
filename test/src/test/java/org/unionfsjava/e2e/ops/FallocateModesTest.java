package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.SharedUnions;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18 item 7: the fallocate modes. The kernel's FUSE module passes only KEEP_SIZE,
 * PUNCH_HOLE and ZERO_RANGE to a FUSE server (fs/fuse/file.c, {@code fuse_file_fallocate}); it
 * answers every other mode, COLLAPSE_RANGE and INSERT_RANGE among them, EOPNOTSUPP itself, before
 * a request is sent. No FUSE filesystem can do them, so the union documents the limit (README
 * "Known limits"). This class pins both sides: the modes the kernel passes work on the union and
 * land in the upper file as on kernel overlayfs, and collapse and insert answer EOPNOTSUPP without
 * a FALLOCATE request reaching the daemon ({@code --fuse-debug} trace) and change nothing. If a
 * kernel ever passes them, the second test fails: then support them (the union forwards the mode
 * to the upper file already) and drop the limit from the documentation.
 */
@Timeout(180)
@DisplayName("fallocate: the modes FUSE passes work; collapse and insert stop in the kernel")
class FallocateModesTest {
  @TempDir static Path tmp;
  static SharedUnions unions;
  static final byte[] DATA = Fixture.bytes(65536, 18);

  @BeforeAll
  static void createUnions() {
    unions = new SharedUnions(tmp, 1, u -> Fixture.file(u.lower(1).resolve("modes/f"), DATA));
  }

  @AfterAll
  static void unmountAll() {
    unions.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS", "KERNEL_OVERLAY"})
  @DisplayName("punch hole, zero range and keep size work on a lower file and land in the upper")
  void passedModes_workOnLowerFile_landInUpper(UnionSystem system) {
    TestUnion u = unions.get(system);
    byte[] expected = DATA.clone();
    List<String> got = new ArrayList<>();
    int fd = (int) Syscalls.open(u.at("modes/f"), Syscalls.O_RDWR, 0).requireOk();
    try {
      got.add("punch " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_PUNCH_HOLE | Syscalls.FALLOC_FL_KEEP_SIZE,
          4096, 8192).outcome());
      Arrays.fill(expected, 4096, 12288, (byte) 0);
      got.add("zero " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_ZERO_RANGE, 20000, 5000).outcome());
      Arrays.fill(expected, 20000, 25000, (byte) 0);
      got.add("keep-size " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_KEEP_SIZE, 65536, 1 << 20).outcome());
      got.add("zero past end " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_ZERO_RANGE, 65536, 4096).outcome());
      expected = Arrays.copyOf(expected, 65536 + 4096);
    } finally {
      Syscalls.close(fd);
    }
    assertEquals(List.of("punch OK", "zero OK", "keep-size OK", "zero past end OK"), got, system.toString());
    assertArrayEquals(expected, Fixture.readBytes(u.at("modes/f")), system + ": the data through the union");
    assertArrayEquals(expected, Fixture.readBytes(u.upper().resolve("modes/f")), system + ": the upper file");
    assertArrayEquals(DATA, Fixture.readBytes(u.lower(1).resolve("modes/f")), system + ": the lower is untouched");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("collapse and insert range: EOPNOTSUPP from the kernel (no request reaches the union), nothing changes")
  void collapseAndInsert_refusedByFuseKernelModule_changeNothing(UnionSystem system, @TempDir Path root) {
    SystemSelection.assumeSelected(system);
    TestUnion u = TestUnion.create(root, 1, system).withArgs("--fuse-debug");
    try {
      Fixture.file(u.lower(1).resolve("limit/lower"), DATA);
      u.mount();
      Fixture.file(u.at("limit/new"), DATA);
      for (String name : List.of("limit/lower", "limit/new")) {
        List<String> got = new ArrayList<>();
        int fd = (int) Syscalls.open(u.at(name), Syscalls.O_RDWR, 0).requireOk();
        try {
          int before = fallocateRequests(u);
          got.add("collapse " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_COLLAPSE_RANGE, 4096, 4096).outcome());
          got.add("insert " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_INSERT_RANGE, 4096, 4096).outcome());
          got.add("requests " + (fallocateRequests(u) - before));
          got.add("punch " + Syscalls.fallocate(fd, Syscalls.FALLOC_FL_PUNCH_HOLE | Syscalls.FALLOC_FL_KEEP_SIZE,
              65536, 4096).outcome()); // past the end: changes no byte, but is a request
          got.add("requests " + (fallocateRequests(u) - before));
        } finally {
          Syscalls.close(fd);
        }
        // errno 95: EOPNOTSUPP, which Linux defines equal to ENOTSUP (the name jnr gives it)
        assertEquals(List.of("collapse ENOTSUP", "insert ENOTSUP", "requests 0", "punch OK", "requests 1"),
            got, system + " " + name);
        assertArrayEquals(DATA, Fixture.readBytes(u.at(name)), system + " " + name + ": data and size unchanged");
        assertArrayEquals(DATA, Fixture.readBytes(u.upper().resolve(name)), system + " " + name + ": the upper file");
      }
      assertArrayEquals(DATA, Fixture.readBytes(u.lower(1).resolve("limit/lower")), "the lower is untouched");
    } finally {
      u.close();
    }
  }

  private static final Pattern FALLOCATE = Pattern.compile("opcode: FALLOCATE");

  /** FALLOCATE requests in libfuse's trace so far (the trace is written before the request is served). */
  private static int fallocateRequests(TestUnion u) {
    Matcher m = FALLOCATE.matcher(u.daemonOutput());
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
