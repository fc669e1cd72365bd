package org.unionfsjava.e2e.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.unionfsjava.e2e.support.CliMount;
import org.unionfsjava.e2e.support.Processes;

/**
 * Issue 5: memory and scale. A lower of many empty files (CI: 200,000 in 200 directories;
 * {@code -Dunionfs.long=true}: 1,000,000 in 1,000) is walked through a union mounted by {@code
 * bin/unionfs-java} with the launcher's default JVM flags, in both lower modes, with {@code find
 * -printf '%y %s\n'} (readdir and an lstat of every name). Then:
 *
 * <ul>
 *   <li>the walk saw every file and directory;
 *   <li>the daemon's Java heap after a full GC ({@code jcmd PID GC.run}, {@code GC.heap_info}) is
 *       at most {@link #HEAP_BOUND_MIB} plus {@link #NODE_BYTES_PER_INODE} per name walked: the
 *       lookup cache is bounded ({@code Tuning.DEFAULT_CACHE_BYTES}) whatever the number of files, and
 *       the node table ({@code NodeTable}) keeps one node per inode the kernel has cached, freed
 *       only when the kernel forgets the inode (docs/memory.md);
 *   <li>its peak resident memory (VmHWM) is at most {@link #HWM_BASE_MIB} plus {@link
 *       #RESIDENT_BYTES_PER_INODE} per name walked: the JVM's part is bounded by the launcher's
 *       flags, the nodes grow the heap.
 * </ul>
 *
 * <p>{@code -Dunionfs.mem.heapBoundMiB=N}, {@code -Dunionfs.mem.nodeBytes=N} and {@code -Dunionfs.mem.hwmBaseMiB=N} override the
 * bounds (to see the assertions fail, or to try other flags); {@code -Dunionfs.mem.files=N} the
 * size of the lower.
 */
@DisplayName("issue 5: a large lower does not grow the daemon past its documented memory bound")
class LargeLowerMemoryTest {
  static final boolean LONG = Boolean.getBoolean("unionfs.long");
  /** Files in the lower (CI / long). */
  static final int FILES = Integer.getInteger("unionfs.mem.files", LONG ? 1_000_000 : 200_000);
  /** Files per directory. */
  static final int PER_DIR = 1_000;
  /** Java heap used after a full GC, at most this (MiB) plus {@link #NODE_BYTES_PER_INODE} per name. */
  static final long HEAP_BOUND_MIB = Long.getLong("unionfs.mem.heapBoundMiB", 96);
  /** A node of the node table (with its name and its share of the tables) per inode the kernel holds. */
  static final long NODE_BYTES_PER_INODE = Long.getLong("unionfs.mem.nodeBytes", 192);
  /** VmHWM at most this (MiB) plus {@link #RESIDENT_BYTES_PER_INODE} per name walked. */
  static final long HWM_BASE_MIB = Long.getLong("unionfs.mem.hwmBaseMiB", 240);
  /** A node's share of the resident memory: the heap grows with the nodes (and so does the GC's slack). */
  static final long RESIDENT_BYTES_PER_INODE = 256;

  private static final Pattern HEAP_LINE = Pattern.compile("total (\\d+)K, used (\\d+)K");

  /** The lower, generated once for both modes. */
  @TempDir
  static Path shared;

  @TempDir
  Path tmp;

  @BeforeAll
  static void generateLower() throws IOException {
    long started = System.nanoTime();
    generate(shared.resolve("lower"), FILES / PER_DIR, PER_DIR);
    System.out.printf("generated %d files in %d dirs in %.1f s%n", (long) FILES / PER_DIR * PER_DIR,
        FILES / PER_DIR, (System.nanoTime() - started) / 1e9);
  }

  @ParameterizedTest(name = "--lower-mode {0}")
  @ValueSource(strings = {"fixed", "changing"})
  @Timeout(value = 900, unit = TimeUnit.SECONDS)
  void walkOfALargeLowerStaysWithinTheMemoryBound(String mode) throws Exception {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse");
    Path lower = shared.resolve("lower");
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    int dirs = FILES / PER_DIR;

    try (CliMount union = CliMount.start(mnt, tmp.resolve("mount.log"), List.of(
        "--upper", upper.toString(), "--lower", lower.toString(), "--lower-mode", mode))) {
      assertTrue(union.awaitMounted(Duration.ofSeconds(60)), () -> "not mounted:\n" + union.output());
      long pid = union.pid();

      long started = System.nanoTime();
      Processes.Result walk = Processes.sh(Duration.ofSeconds(LONG ? 600 : 240),
          "find '" + mnt + "' -printf '%y %s\\n' | awk '{n[$1]++; if ($1 == \"f\") s+=$2} END {print n[\"f\"]+0, n[\"d\"]+0, s+0}'")
          .requireSuccess("find over the union");
      double walkSeconds = (System.nanoTime() - started) / 1e9;
      String[] counts = walk.stdout().trim().split(" ");
      assertEquals((long) dirs * PER_DIR, Long.parseLong(counts[0]), "regular files seen by the walk");
      assertEquals(dirs + 1L, Long.parseLong(counts[1]), "directories seen by the walk (with the root)");
      assertEquals(0L, Long.parseLong(counts[2]), "sum of the files' sizes (every file is empty)");

      jcmd(pid, "GC.run");
      long heapUsedKib = heapUsedKib(jcmd(pid, "GC.heap_info"));
      long hwmKib = procStatusKib(pid, "VmHWM");
      long rssKib = procStatusKib(pid, "VmRSS");
      long names = (long) dirs * PER_DIR + dirs;
      long hwmBoundKib = HWM_BASE_MIB * 1024 + names * RESIDENT_BYTES_PER_INODE / 1024;
      long heapBoundKib = HEAP_BOUND_MIB * 1024 + names * NODE_BYTES_PER_INODE / 1024;
      System.out.printf(Locale.ROOT,
          "mode %s: walk of %d names %.1f s; heap after full GC %.1f MiB (bound %.1f); VmHWM %.1f MiB"
              + " (bound %.1f); VmRSS %.1f MiB%n",
          mode, names, walkSeconds, heapUsedKib / 1024.0, heapBoundKib / 1024.0, hwmKib / 1024.0,
          hwmBoundKib / 1024.0, rssKib / 1024.0);
      assertTrue(heapUsedKib <= heapBoundKib, String.format(Locale.ROOT,
          "heap used after a full GC: %.1f MiB, bound %.1f MiB", heapUsedKib / 1024.0, heapBoundKib / 1024.0));
      assertTrue(hwmKib <= hwmBoundKib, String.format(Locale.ROOT,
          "VmHWM %.1f MiB, bound %.1f MiB", hwmKib / 1024.0, hwmBoundKib / 1024.0));
    }
  }

  /** {@code dirs} directories {@code d0000}... of {@code perDir} empty files {@code f000000}... */
  static void generate(Path root, int dirs, int perDir) throws IOException {
    Files.createDirectories(root);
    for (int d = 0; d < dirs; d++) {
      Path dir = Files.createDirectory(root.resolve(String.format(Locale.ROOT, "d%04d", d)));
      for (int f = 0; f < perDir; f++) {
        Files.createFile(dir.resolve(String.format(Locale.ROOT, "f%06d", f)));
      }
    }
  }

  /** Runs {@code jcmd PID COMMAND} (the JDK's, next to this JVM) and returns its output. */
  static String jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    String exe = Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
    return Processes.run(Duration.ofSeconds(60), exe, Long.toString(pid), command)
        .requireSuccess("jcmd " + pid + " " + command).stdout();
  }

  /** The heap's used KiB from GC.heap_info: the sum over the generations (serial) or G1's heap. */
  static long heapUsedKib(String heapInfo) {
    long used = 0;
    boolean any = false;
    for (String line : heapInfo.split("\n")) {
      Matcher m = HEAP_LINE.matcher(line);
      if (m.find() && !line.contains("space")) {
        used += Long.parseLong(m.group(2));
        any = true;
      }
    }
    assertTrue(any, () -> "no heap figures in:\n" + heapInfo);
    return used;
  }

  /** A KiB figure of /proc/PID/status ("VmHWM", "VmRSS"). */
  static long procStatusKib(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
      }
    }
    throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
  }
}
