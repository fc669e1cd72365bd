package org.unionfsjava.e2e.reliability;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.RelInternalNames;
import org.unionfsjava.e2e.support.RelSyscalls;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.Syscalls.Call;

/**
 * Random mixed operations by several threads on a small, overlapping set of names under one
 * directory (a union's mount point, or a plain directory for the harness's self-check), for a
 * bounded time. Each thread has its own seeded random source. Every call's outcome is counted;
 * an errno outside {@link #ALLOWED} for that operation is a violation: the allowed ones are the
 * races a plain directory gives too (another thread removed, created, filled or replaced the
 * name), and the plain-directory run proves the list is complete for this workload. A watchdog
 * fails the run if no operation completes for {@link #STALL} (a deadlock).
 */
final class StressRun {
  /** No completed operation for this long is a deadlock. */
  static final Duration STALL = Duration.ofSeconds(30);

  /**
   * Errnos a plain directory gives this workload through races between the threads. ELOOP is
   * allowed for every operation: the symlink targets below are names outside the workload's
   * names, but a symlink renamed onto a directory's name (rename-dir moves whatever is at its
   * source) makes the workload's paths go through it into its target's tree, where a loop can
   * form: a plain directory gave ELOOP (open of {@code s0/f0}) twice in 2.5 million operations
   * (seed 54193517176601; the unions' runs of that build gave none).
   */
  static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("create-write", Set.of("ENOENT", "EISDIR", "ENOTDIR", "ELOOP")),
      Map.entry("read", Set.of("ENOENT", "EISDIR", "ENOTDIR", "ELOOP")),
      Map.entry("truncate", Set.of("ENOENT", "EISDIR", "ENOTDIR", "ELOOP")),
      Map.entry("unlink", Set.of("ENOENT", "EISDIR", "ENOTDIR", "ELOOP")),
      Map.entry("rename-file", Set.of("ENOENT", "EISDIR", "ENOTDIR", "ENOTEMPTY", "EINVAL", "ELOOP")),
      Map.entry("rename-dir", Set.of("ENOENT", "ENOTDIR", "ENOTEMPTY", "EEXIST", "EINVAL", "EISDIR", "ELOOP")),
      Map.entry("mkdir", Set.of("ENOENT", "EEXIST", "ENOTDIR", "ELOOP")),
      Map.entry("rmdir", Set.of("ENOENT", "ENOTDIR", "ENOTEMPTY", "ELOOP")),
      Map.entry("chmod", Set.of("ENOENT", "ENOTDIR", "ELOOP")),
      Map.entry("utimens", Set.of("ENOENT", "ENOTDIR", "ELOOP")),
      Map.entry("symlink", Set.of("ENOENT", "EEXIST", "ENOTDIR", "ELOOP")),
      Map.entry("link", Set.of("ENOENT", "EEXIST", "ENOTDIR", "EPERM", "ELOOP")),
      Map.entry("stat", Set.of("ENOENT", "ENOTDIR", "ELOOP")),
      Map.entry("readdir", Set.of("ENOENT", "ENOTDIR", "ELOOP")));

  /**
   * Symlink targets: names outside the workload's names, so a symlink made by the workload never
   * points to another one by its own name (for the rare loop a rename can still make, see
   * {@link #ALLOWED}).
   */
  private static final String[] SYMLINK_TARGETS = {"keep", "t0", "t1", "../keep"};
  private static final String[] DIRS = {"", "s0", "s1", "s2", "s0/in", "s1/in", "m0", "m1"};
  private static final String[] NAMES = {"f0", "f1", "f2", "f3", "f4", "f5", "in", "m0", "m1", "l0"};

  final Map<String, LongAdder> ops = new ConcurrentHashMap<>();
  final Map<String, LongAdder> errnos = new ConcurrentHashMap<>();
  final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  final AtomicLong progress = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();

  /** Fills a directory with the starting tree the workload's names overlap with. */
  static void fill(Path root, Random rnd) throws IOException {
    for (String d : List.of("s0", "s1", "s2", "s0/in", "s1/in", "s2/deep/er")) {
      Files.createDirectories(root.resolve(d));
    }
    for (String d : List.of("s0", "s1", "s2", "s0/in", "s1/in")) {
      for (int i = 0; i < 4; i++) {
        byte[] b = new byte[1 + rnd.nextInt(8000)];
        rnd.nextBytes(b);
        Files.write(root.resolve(d).resolve("f" + i), b);
      }
    }
    Files.createDirectories(root.resolve("keep/inside"));
    Files.write(root.resolve("keep/k"), new byte[] {1, 2, 3});
    Files.createSymbolicLink(root.resolve("s0/l0"), Path.of("f0"));
  }

  /**
   * Runs {@code threads} workers for {@code duration} on {@code root}; returns early if the
   * watchdog fires ({@code onStall} is called first, e.g. to dump and kill the daemon).
   * Returns true if the run ended normally, false on a stall.
   */
  boolean run(Path root, int threads, Duration duration, long seed, Runnable onStall) throws InterruptedException {
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random rnd = new Random(seed * 31 + t);
      Thread th = new Thread(() -> {
        while (!stop.get()) {
          step(root, rnd);
          progress.incrementAndGet();
        }
      }, "stress-" + t);
      th.setDaemon(true);
      workers.add(th);
    }
    workers.forEach(Thread::start);
    long end = System.nanoTime() + duration.toNanos();
    long lastProgress = progress.get();
    long lastChange = System.nanoTime();
    boolean stalled = false;
    while (System.nanoTime() < end) {
      Thread.sleep(250);
      long p = progress.get();
      if (p != lastProgress) {
        lastProgress = p;
        lastChange = System.nanoTime();
      } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
        stalled = true;
        onStall.run();
        break;
      }
    }
    stop.set(true);
    for (Thread th : workers) {
      th.join(STALL.toMillis());
      if (th.isAlive()) {
        violations.add("worker " + th.getName() + " did not finish within " + STALL + " after the stop: "
            + stackOf(th));
        stalled = true;
      }
    }
    return !stalled;
  }

  private static String stackOf(Thread th) {
    StringBuilder sb = new StringBuilder();
    for (StackTraceElement e : th.getStackTrace()) {
      sb.append("\n    at ").append(e);
    }
    return sb.toString();
  }

  long totalOps() {
    return ops.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<String, Long> opCounts() {
    Map<String, Long> out = new TreeMap<>();
    ops.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  Map<String, Long> errnoCounts() {
    Map<String, Long> out = new TreeMap<>();
    errnos.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  private String path(Random rnd) {
    String d = DIRS[rnd.nextInt(DIRS.length)];
    String n = NAMES[rnd.nextInt(NAMES.length)];
    return d.isEmpty() ? n : d + "/" + n;
  }

  private String dirPath(Random rnd) {
    String d = DIRS[rnd.nextInt(DIRS.length)];
    return d.isEmpty() ? "s" + rnd.nextInt(3) : d;
  }

  private void count(String op, Call c) {
    ops.computeIfAbsent(op, k -> new LongAdder()).increment();
    if (!c.ok()) {
      errnos.computeIfAbsent(op + ":" + c.errno(), k -> new LongAdder()).increment();
      if (!ALLOWED.getOrDefault(op, Set.of()).contains(c.errno())) {
        violations.add(op + ": " + c);
      }
    }
  }

  private void step(Path root, Random rnd) {
    int kind = rnd.nextInt(15);
    Path p = root.resolve(path(rnd));
    switch (kind) {
      case 0, 1 -> {
        int flags = Syscalls.O_WRONLY | Syscalls.O_CREAT | (rnd.nextBoolean() ? Syscalls.O_APPEND : 0)
            | (rnd.nextInt(4) == 0 ? Syscalls.O_TRUNC : 0);
        Call c = Syscalls.open(p, flags, 0644);
        if (c.ok()) {
          byte[] b = new byte[1 + rnd.nextInt(16_000)];
          rnd.nextBytes(b);
          Call w = Syscalls.write((int) c.ret(), b);
          Syscalls.close((int) c.ret());
          count("create-write", w);
        } else {
          count("create-write", c);
        }
      }
      case 2, 3 -> {
        Call c = Syscalls.open(p, Syscalls.O_RDONLY, 0);
        if (c.ok()) {
          Call r = RelSyscalls.read((int) c.ret(), new byte[65536]);
          Syscalls.close((int) c.ret());
          count("read", r);
        } else {
          count("read", c);
        }
      }
      case 4 -> count("truncate", Syscalls.truncate(p, rnd.nextInt(10_000)));
      case 5 -> count("unlink", Syscalls.unlink(p));
      case 6 -> count("rename-file", Syscalls.rename(p, root.resolve(path(rnd))));
      case 7 -> count("rename-dir", Syscalls.rename(root.resolve(dirPath(rnd)), root.resolve(path(rnd))));
      case 8 -> {
        if (rnd.nextBoolean()) {
          count("mkdir", Syscalls.mkdir(p, 0755));
        } else {
          count("rmdir", Syscalls.rmdir(p));
        }
      }
      case 9 -> count("chmod", Syscalls.chmod(p, rnd.nextBoolean() ? 0644 : 0755));
      case 10 -> count("utimens", PosixExtras.utimens(p, 1_000_000_000L * rnd.nextInt(1_000_000_000),
          1_000_000_000L * rnd.nextInt(1_000_000_000) + rnd.nextInt(1_000_000_000), true));
      case 11 -> {
        if (rnd.nextBoolean()) {
          count("symlink", Syscalls.symlink(SYMLINK_TARGETS[rnd.nextInt(SYMLINK_TARGETS.length)], p));
        } else {
          count("link", Syscalls.link(p, root.resolve(path(rnd))));
        }
      }
      case 12 -> count("stat", Syscalls.access(p, Syscalls.F_OK));
      default -> readdir(root.resolve(dirPath(rnd)));
    }
  }

  private void readdir(Path dir) {
    ops.computeIfAbsent("readdir", k -> new LongAdder()).increment();
    Set<String> seen = new HashSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path e : ds) {
        String name = e.getFileName().toString();
        if (!seen.add(name)) {
          violations.add("readdir " + dir + " listed " + name + " twice in one listing");
        }
        if (RelInternalNames.isInternal(name)) {
          violations.add("readdir " + dir + " listed the internal name " + name);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      errnos.computeIfAbsent("readdir:" + (e instanceof NoSuchFileException ? "ENOENT" : "ENOTDIR"),
          k -> new LongAdder()).increment();
    } catch (IOException | DirectoryIteratorException e) {
      String msg = String.valueOf(e.getMessage());
      if (msg.contains("Not a directory")) {
        errnos.computeIfAbsent("readdir:ENOTDIR", k -> new LongAdder()).increment();
      } else if (msg.contains("No such file")) {
        errnos.computeIfAbsent("readdir:ENOENT", k -> new LongAdder()).increment();
      } else {
        violations.add("readdir " + dir + ": " + e);
      }
    }
  }
}
