package org.unionfsjava.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The benchmark: builds (or reuses) the data set, then for each repetition mounts each system in
 * turn over the same lower with a fresh upper and work directory, runs every workload on it and
 * unmounts (every system in every repetition, in the balanced order of {@link #inBalancedOrder}),
 * and finally writes medians and ratios of medians.
 *
 * <p>Run through {@code scripts/bench}; {@code --help} lists the options.
 */
public final class Bench {
  static final String USAGE = """
      usage: scripts/bench [--quick | --full] [options]
        --quick              small data, 3 repetitions (a few minutes)
        --full               the issue's sizes, 5 repetitions (default)
        --reps N             repetitions (each mounts every system afresh)
        --systems a,b,...    kernel,fuse-overlayfs,unionfs-fuse,unionfs-java,unionfs-java-fixed,unionfs-java-libfuse2-fixed
        --only a,b,...       only workloads whose name starts with one of these
        --no-xfs             skip the reflink (xfs image) rows
        --jfr                record a JFR profile of every unionfs-java mount into RESULTS/jfr/
        --base DIR           data sets and scratch mounts (default /var/tmp/unionfs-java-bench)
        --results DIR        where results go (default bench/results/<timestamp>)
        --list               print the workloads and exit
        --report SAMPLES.csv tabulate an earlier run's samples again (same mode) into --results
      """;

  /** Everything one run needs; built from the command line or by the smoke test. */
  static final class Options {
    String mode = "full";
    Integer reps;
    List<UnionSystem> systems = List.of(UnionSystem.values());
    List<String> only = List.of();
    boolean xfs = true;
    boolean jfr;
    boolean list;
    Path report; // a samples.csv to tabulate again instead of measuring
    Path base = Path.of("/var/tmp/unionfs-java-bench");
    Path results;
    Path repo = Path.of(System.getProperty("unionfs.repo.dir", ".")).toAbsolutePath().normalize();
  }

  private final Options o;
  private final Sizes z;
  private final DataSet data;
  private final Path results;
  private final Path log;
  private final Path run;
  private final List<Mount> open = new CopyOnWriteArrayList<>();
  private Path xfsMnt;
  private Path cliRoot; // a copy of the built CLI that the unionfs-java mounts run from

  private Bench(Options o) {
    this.o = o;
    this.z = Sizes.of(o.mode);
    this.data = new DataSet(o.base, z);
    String ts = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    this.results = o.results != null ? o.results
        : o.repo.resolve("bench/results").resolve(ts + "-" + o.mode);
    this.log = results.resolve("bench.log");
    this.run = o.base.resolve("run-" + ProcessHandle.current().pid());
  }

  public static void main(String[] args) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.print(USAGE);
      return;
    }
    try {
      run(o);
      System.exit(0);
    } catch (Exception e) {
      System.err.println("bench: " + e.getMessage());
      e.printStackTrace();
      System.exit(1);
    }
  }

  static Options parse(String[] args) {
    Options o = new Options();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> o.mode = "quick";
        case "--full" -> o.mode = "full";
        case "--tiny" -> o.mode = "tiny";
        case "--reps" -> o.reps = Integer.parseInt(value(args, ++i, a));
        case "--systems" -> o.systems = Arrays.stream(value(args, ++i, a).split(","))
            .map(UnionSystem::byId).toList();
        case "--only" -> o.only = List.of(value(args, ++i, a).split(","));
        case "--no-xfs" -> o.xfs = false;
        case "--jfr" -> o.jfr = true;
        case "--list" -> o.list = true;
        case "--report" -> o.report = Path.of(value(args, ++i, a)).toAbsolutePath();
        case "--base" -> o.base = Path.of(value(args, ++i, a)).toAbsolutePath();
        case "--results" -> o.results = Path.of(value(args, ++i, a)).toAbsolutePath();
        case "--repo" -> o.repo = Path.of(value(args, ++i, a)).toAbsolutePath().normalize();
        case "-h", "--help" -> {
          return null;
        }
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return o;
  }

  private static String value(String[] args, int i, String opt) {
    if (i >= args.length) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return args[i];
  }

  /** Runs the benchmark described by {@code o}; returns the results (also written to disk). */
  static Results run(Options o) throws IOException, InterruptedException {
    return new Bench(o).go();
  }

  static void say(String s) {
    System.out.println(s);
    System.out.flush();
  }

  private Results go() throws IOException, InterruptedException {
    boolean fio = UnionSystem.onPath("fio");
    List<Workload> workloads = new ArrayList<>();
    for (Workload w : Workload.all(z, fio)) {
      if (o.only.isEmpty() || o.only.stream().anyMatch(p -> w.name().startsWith(p))) {
        workloads.add(w);
      }
    }
    if (o.report != null) {
      return report(workloads, fio);
    }
    if (o.list) {
      for (Workload w : workloads) {
        say(String.format("%-18s %s", w.name(), w.doc()));
      }
      return null;
    }
    if (!"0".equals(Proc.output(List.of("id", "-u"), Duration.ofSeconds(10)).trim())) {
      throw new IOException("run as root (mounts, drop_caches, loop devices)");
    }
    if (!Files.exists(Path.of("/dev/fuse"))) {
      throw new IOException("no /dev/fuse");
    }
    Files.createDirectories(results);
    List<String> notes = new ArrayList<>();
    List<UnionSystem> systems = new ArrayList<>();
    for (UnionSystem s : o.systems) {
      String why = s.missing(o.repo);
      if (why == null) {
        systems.add(s);
      } else {
        notes.add("skipped " + s.id + ": " + why);
        say("skipping " + s.id + ": " + why);
      }
    }
    if (!fio) {
      notes.add("fio is not installed: randread rows use dd per block (process start dominates)");
    }
    boolean wantXfs = o.xfs && workloads.stream().anyMatch(w -> w.layer() == Workload.Layer.XFS);
    if (wantXfs && !UnionSystem.onPath("mkfs.xfs")) {
      notes.add("mkfs.xfs (xfsprogs) is not installed: reflink rows skipped");
      wantXfs = false;
    }
    if (!wantXfs) {
      workloads.removeIf(w -> w.layer() == Workload.Layer.XFS);
    }
    Results res = new Results(workloads, systems);
    res.notes.addAll(notes);
    int reps = o.reps != null ? o.reps : z.reps();

    cleanStaleRuns();
    Thread hook = new Thread(this::cleanUp, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    Map<String, String> facts = Results.facts();
    try {
      Files.createDirectories(run);
      if (systems.stream().anyMatch(UnionSystem::isUnionfsJava)) {
        cliRoot = snapshotCli();
      }
      data.ensure(log);
      if (wantXfs) {
        mountXfs();
      }
      facts.put("mode", o.mode + ", " + reps + " repetitions, systems interleaved per repetition,"
          + " in a balanced order (each system follows each other one at most once)");
      facts.putAll(environment());
      say(String.format("benchmark: mode %s, %d repetitions, systems %s, %d workloads; results in %s",
          o.mode, reps, systems.stream().map(s -> s.id).toList(), workloads.size(), results));
      for (int rep = 1; rep <= reps; rep++) {
        for (UnionSystem s : inBalancedOrder(systems, rep)) {
          for (Workload.Layer layer : Workload.Layer.values()) {
            List<Workload> ws = workloads.stream().filter(w -> w.layer() == layer).toList();
            if (!ws.isEmpty()) {
              runMount(res, rep, s, layer, ws);
            }
          }
        }
        // an interrupted run still leaves a valid (partial) table
        res.write(results, "unionfs-java benchmark, " + o.mode + " mode (partial: " + rep + " of "
            + reps + " repetitions)", facts);
      }
    } finally {
      cleanUp();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down already
      }
    }
    String title = "unionfs-java benchmark, " + o.mode + " mode, "
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    res.write(results, title, facts);
    say("");
    say(res.markdown(title, Map.of()));
    say("written: " + results.resolve("results.md") + ", results.csv, samples.csv, ratios.svg");
    return res;
  }

  /** Rebuilds the tables of an earlier run from its samples.csv (e.g. one cut short). */
  private Results report(List<Workload> workloads, boolean fio) throws IOException {
    List<String> lines = Files.readAllLines(o.report);
    List<UnionSystem> seen = new ArrayList<>();
    List<Results.Sample> samples = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      UnionSystem s = UnionSystem.byId(f[1]);
      if (!seen.contains(s)) {
        seen.add(s);
      }
      samples.add(new Results.Sample(Integer.parseInt(f[0]), f[1], f[2],
          f[3].isEmpty() ? Double.NaN : Double.parseDouble(f[3]), f[4]));
    }
    List<UnionSystem> systems = Arrays.stream(UnionSystem.values()).filter(seen::contains).toList();
    java.util.Set<String> names = new java.util.HashSet<>();
    samples.forEach(x -> names.add(x.workload()));
    workloads.removeIf(w -> !names.contains(w.name()));
    Results res = new Results(workloads, systems);
    samples.forEach(res::add);
    int reps = samples.stream().mapToInt(Results.Sample::rep).max().orElse(0);
    Files.createDirectories(results);
    Map<String, String> facts = Results.facts();
    facts.put("mode", o.mode + ", " + reps + " repetitions, tabulated from " + o.report);
    String title = "unionfs-java benchmark, " + o.mode + " mode (" + reps + " repetitions)";
    res.write(results, title, facts);
    say(res.markdown(title, facts));
    return res;
  }

  /**
   * The systems in the order repetition {@code rep} (from 1) runs them: row {@code rep - 1} of a
   * Williams design (a Latin square in which, for an even number of systems, each system directly
   * follows each other one exactly once in as many repetitions as there are systems). A system's
   * first workloads run right after the previous system's last ones and clean-up, which can
   * matter: a full run with a fixed order had unionfs-java's start-up, always right after
   * unionfs-fuse, at 1.4-1.8 s in four of five repetitions against 0.5-0.65 s elsewhere, and a
   * run with the order only rotated kept that neighbour (1.37-1.69 s in four of five). Here no
   * system follows the same one twice within the first as-many repetitions, so such an effect
   * lands in at most one sample of each and the median leaves it out.
   */
  static List<UnionSystem> inBalancedOrder(List<UnionSystem> systems, int rep) {
    int n = systems.size();
    List<UnionSystem> order = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      int base = j == 0 ? 0 : (j % 2 == 1 ? (j + 1) / 2 : n - j / 2);
      order.add(systems.get((base + rep - 1) % n));
    }
    return order;
  }

  /** One mount of one system: fresh upper and work dir, the workloads in order, unmount. */
  private void runMount(Results res, int rep, UnionSystem s, Workload.Layer layer,
      List<Workload> ws) throws IOException {
    Path root = (layer == Workload.Layer.XFS ? xfsMnt.resolve("runs") : run).resolve(s.id);
    Path lower = layer == Workload.Layer.XFS ? xfsMnt.resolve("lower") : data.lower;
    Path upper = root.resolve("upper");
    Path work = root.resolve("work");
    Path mnt = run.resolve("mnt-" + s.id + (layer == Workload.Layer.XFS ? "-xfs" : ""));
    remove(root);
    Files.createDirectories(upper);
    Files.createDirectories(work);
    Files.createDirectories(mnt);
    if (layer == Workload.Layer.PLAIN) {
      data.fillUpper(upper);
    }
    Map<String, String> env = new HashMap<>();
    List<String> javaOpts = new ArrayList<>();
    if (s == UnionSystem.UJ_LIBFUSE2_FIXED) {
      javaOpts.add("-Dunionfs.fuse=2");
    }
    if (s.isUnionfsJava() && o.jfr) {
      Path jfr = Files.createDirectories(results.resolve("jfr"));
      javaOpts.add("-XX:StartFlightRecording=filename=" + jfr.resolve(
          s.id + "-" + layer.name().toLowerCase(Locale.ROOT) + "-r" + rep + ".jfr")
          + ",settings=profile");
    }
    if (!javaOpts.isEmpty()) {
      env.put("UNIONFS_JAVA_OPTS", String.join(" ", javaOpts));
    }
    Path mlog = Files.createDirectories(results.resolve("logs"))
        .resolve(s.id + "-" + layer.name().toLowerCase(Locale.ROOT) + "-r" + rep + ".log");
    sync();
    Mount m;
    try {
      m = Mount.start(s, s.command(cliRoot, lower, upper, work, mnt), env, mnt, mlog,
          run.resolve("pids"));
    } catch (IOException e) {
      say("  " + s.id + ": " + e.getMessage());
      res.notes.add("rep " + rep + " " + s.id + ": " + e.getMessage());
      for (Workload w : ws) {
        res.add(new Results.Sample(rep, s.id, w.name(), Double.NaN, "failed"));
      }
      remove(root);
      return;
    }
    open.add(m);
    Map<String, String> wenv = Map.of("M", mnt.toString(), "L", lower.toString(),
        "D", data.dir.toString());
    Duration timeout = Duration.ofSeconds(z.timeoutSeconds());
    try {
      boolean alive = true;
      for (Workload w : ws) {
        if (!alive) {
          res.add(new Results.Sample(rep, s.id, w.name(), Double.NaN, "skipped"));
          continue;
        }
        switch (w.kind()) {
          case STARTUP -> record(res, rep, s, w, m.startupSeconds, "ok");
          case RSS -> {
            if (s.fuse) {
              long kib = m.rssKiB();
              record(res, rep, s, w, kib < 0 ? Double.NaN : kib / 1024.0, kib < 0 ? "failed" : "ok");
            }
          }
          case TIME -> {
            if (w.pre() != null) {
              untimed(w.pre(), wenv, timeout, mlog);
            }
            if (w.dropCaches()) {
              dropCaches();
            }
            Proc.append(mlog, "[bench] " + w.name() + ": " + w.cmd());
            Proc.Result r = Proc.bash(w.cmd(), wenv, timeout, mlog);
            String status = r.timedOut() ? "timeout" : r.exit() != 0 ? "failed" : "ok";
            if (r.ok() && w.post() != null) {
              untimed(w.post(), wenv, timeout, mlog);
            }
            if (r.ok() && w.check() != null
                && !Proc.bash(w.check(), wenv, timeout, mlog).ok()) {
              status = "check-failed";
              res.notes.add("rep " + rep + " " + s.id + " " + w.name() + ": the result check failed"
                  + " (" + w.check() + ")");
            }
            record(res, rep, s, w, status.equals("timeout") || status.equals("failed")
                ? Double.NaN : r.seconds(), status);
            if (!m.healthy()) {
              res.notes.add("rep " + rep + " " + s.id + ": the mount died during " + w.name());
              alive = false;
            }
          }
        }
      }
    } finally {
      m.close();
      open.remove(m);
      remove(root);
    }
  }

  private void record(Results res, int rep, UnionSystem s, Workload w, double v, String status) {
    res.add(new Results.Sample(rep, s.id, w.name(), v, status));
    say(String.format(Locale.ROOT, "[%d] %-19s %-18s %10s %s", rep, s.id, w.name(),
        Double.isFinite(v) ? String.format(Locale.ROOT, w.kind() == Workload.Kind.RSS ? "%.0f MiB"
            : "%.3f s", v) : "-", status.equals("ok") ? "" : status));
  }

  private void untimed(String script, Map<String, String> env, Duration timeout, Path mlog) {
    Proc.Result r = Proc.bash(script, env, timeout, mlog);
    if (!r.ok()) {
      Proc.append(mlog, "[bench] untimed step failed: " + script);
    }
  }

  private void sync() {
    Proc.run(List.of("sync"), Map.of(), Duration.ofMinutes(5), log);
  }

  private void dropCaches() throws IOException {
    sync();
    Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
  }

  private void remove(Path p) {
    if (Files.exists(p)) {
      Proc.run(List.of("rm", "-rf", "--one-file-system", p.toString()), Map.of(),
          Duration.ofMinutes(10), log);
    }
  }

  /** Loop-mounts the xfs image (made and filled on first use) at RUN/xfs. */
  private void mountXfs() throws IOException {
    xfsMnt = run.resolve("xfs");
    Files.createDirectories(xfsMnt);
    String marker = DataSet.MARKER + "-" + z.mode();
    if (Files.exists(data.xfsImage)) {
      loopMount();
      if (Files.exists(xfsMnt.resolve(marker))) {
        return;
      }
      unmountQuiet(xfsMnt);
      Files.delete(data.xfsImage);
    }
    say("building the xfs image " + data.xfsImage + " (reflink=1)");
    try (RandomAccessFile f = new RandomAccessFile(data.xfsImage.toFile(), "rw")) {
      f.setLength((long) z.xfsImageMiB() << 20);
    }
    Proc.Result r = Proc.run(List.of("mkfs.xfs", "-q", "-f", "-m", "reflink=1",
        data.xfsImage.toString()), Map.of(), Duration.ofMinutes(5), log);
    if (!r.ok()) {
      throw new IOException("mkfs.xfs failed, see " + log);
    }
    loopMount();
    data.buildXfsLower(xfsMnt.resolve("lower"));
    Files.writeString(xfsMnt.resolve(marker), "ok\n");
    sync();
  }

  private void loopMount() throws IOException {
    Proc.Result r = Proc.run(List.of("mount", "-o", "loop,discard", data.xfsImage.toString(),
        xfsMnt.toString()), Map.of(), Duration.ofMinutes(2), log);
    if (!r.ok()) {
      throw new IOException("loop mount of " + data.xfsImage + " failed, see " + log);
    }
  }

  private void unmountQuiet(Path p) {
    if (Mount.isMounted(p)) {
      Proc.Result r = Proc.run(List.of("umount", p.toString()), Map.of(), Duration.ofMinutes(2), log);
      if (!r.ok()) {
        Mount.lazyUnmount(p, log);
      }
    }
  }

  /** Unmounts everything this run mounted and removes its scratch directory. */
  private synchronized void cleanUp() {
    for (Mount m : open) {
      m.close();
    }
    open.clear();
    for (Path p : Mount.mountsUnder(run)) {
      if (!p.equals(xfsMnt)) {
        Mount.abortFuse(p, log);
        unmountQuiet(p);
      }
    }
    if (xfsMnt != null) {
      remove(xfsMnt.resolve("runs"));
      unmountQuiet(xfsMnt);
    }
    if (Mount.mountsUnder(run).isEmpty()) {
      remove(run);
    }
  }

  /**
   * A run killed hard (SIGKILL, power) leaves mounts and daemons behind under BASE/run-PID. If
   * that PID is gone: end the daemons it recorded (by PID, only if their command line still
   * names that run), detach its mounts and remove it.
   */
  private void cleanStaleRuns() throws IOException {
    if (!Files.isDirectory(o.base)) {
      return;
    }
    List<Path> stale;
    try (Stream<Path> s = Files.list(o.base)) {
      stale = s.filter(p -> p.getFileName().toString().matches("run-\\d+")).filter(p -> {
        long pid = Long.parseLong(p.getFileName().toString().substring(4));
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
      }).toList();
    }
    for (Path dir : stale) {
      say("cleaning up after an earlier run that did not finish: " + dir);
      Path pids = dir.resolve("pids");
      if (Files.exists(pids)) {
        for (String line : Files.readAllLines(pids)) {
          String[] f = line.split(" ", 2);
          ProcessHandle.of(Long.parseLong(f[0])).ifPresent(h -> {
            String cmd = h.info().commandLine().orElse("");
            if (cmd.contains(dir.toString())) {
              Proc.killTree(h, Duration.ofSeconds(5));
            }
          });
        }
      }
      for (Path p : Mount.mountsUnder(dir)) {
        Mount.abortFuse(p, log);
        Mount.lazyUnmount(p, log);
      }
      if (Mount.mountsUnder(dir).isEmpty()) {
        remove(dir);
      }
    }
  }

  /**
   * Copies the built CLI (launcher, jar, libraries) into the run directory and runs unionfs-java
   * from that copy: a rebuild of cli/target during the run (others work in the same tree) must
   * not change the code under test between repetitions. Waits for a jar that is being written.
   */
  private Path snapshotCli() throws IOException, InterruptedException {
    Path jar = o.repo.resolve("cli/target/unionfs-java-cli.jar");
    Path snap = run.resolve("cli");
    for (int attempt = 0; ; attempt++) {
      DataSet.deleteTree(snap);
      Path target = Files.createDirectories(snap.resolve("cli/target/lib"));
      Files.createDirectories(snap.resolve("bin"));
      Files.copy(o.repo.resolve("bin/unionfs-java"), snap.resolve("bin/unionfs-java"));
      Files.copy(o.repo.resolve("bin/jvm-memory-options"), snap.resolve("bin/jvm-memory-options"));
      Files.copy(jar, target.getParent().resolve(jar.getFileName()));
      try (Stream<Path> libs = Files.list(o.repo.resolve("cli/target/lib"))) {
        for (Path l : libs.toList()) {
          Files.copy(l, target.resolve(l.getFileName()));
        }
      }
      try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(
          target.getParent().resolve(jar.getFileName()).toFile())) {
        if (z.getEntry("org/unionfsjava/cli/UnionfsCommand.class") != null) {
          trainClassArchive(snap);
          return snap;
        }
      } catch (IOException e) {
        // a jar being rewritten: try again
      }
      if (attempt >= 30) {
        throw new IOException("no complete " + jar + " (is it being rebuilt?)");
      }
      Thread.sleep(2000);
    }
  }

  /**
   * Runs the copied launcher once, untimed: its first run after a build makes the start-up class
   * archive (docs/startup.md), which a user's first mount after installing pays once, and which
   * must not land in the first timed start-up sample.
   */
  private static void trainClassArchive(Path snap) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(snap.resolve("bin/unionfs-java").toString(), "--version")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("the copied launcher did not finish its first run in 120 s");
    }
  }

  private Map<String, String> environment() {
    Map<String, String> f = Results.facts();
    f.put("kernel", oneLine(List.of("uname", "-r")));
    f.put("cpu", oneLine(List.of("bash", "-c",
        "echo \"$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\"")));
    f.put("memory", oneLine(List.of("bash", "-c", "free -g | awk '/Mem:/{print $2\" GiB\"}'")));
    f.put("lower fs", oneLine(List.of("findmnt", "-no", "FSTYPE,SOURCE", "-T", data.lower.toString())));
    String javaOpts = System.getenv().getOrDefault("UNIONFS_JAVA_OPTS", "");
    String libfuse3 = "libfuse 3 " + oneLine(List.of("bash", "-c", "dpkg-query -W -f '${Version}' libfuse3-3"))
        + " (low-level API, the union's own binding)";
    String libfuse2 = "libfuse2 " + oneLine(List.of("bash", "-c", "dpkg-query -W -f '${Version}' libfuse2"))
        + " through jnr-fuse";
    f.put("unionfs-java FUSE library", (javaOpts.contains("-Dunionfs.fuse=2") ? libfuse2 : libfuse3 + " (the default)")
        + (javaOpts.isEmpty() ? "" : " (UNIONFS_JAVA_OPTS=" + javaOpts + ")")
        + "; unionfs-java-libfuse2-fixed: " + libfuse2);
    f.put("unionfs-java", oneLine(List.of("bash", "-c", "cd '" + o.repo + "' && git rev-parse --short"
        + " HEAD 2>/dev/null && git status --porcelain -uno 2>/dev/null | wc -l | sed"
        + " 's/^/modified files: /'")));
    f.put("unionfs-java jar", oneLine(List.of("bash", "-c", "sha256sum '" + (cliRoot != null ? cliRoot : o.repo)
        + "/cli/target/unionfs-java-cli.jar' | cut -c1-16")) + " (the copy this run used)");
    f.put("java", oneLine(List.of("bash", "-c", "java -version 2>&1 | head -1")));
    f.put("fuse-overlayfs", oneLine(List.of("bash", "-c", "fuse-overlayfs --version 2>&1 | grep -m1 version")));
    f.put("unionfs-fuse", oneLine(List.of("bash", "-c", "unionfs --version 2>&1 | head -1")));
    f.put("fio", oneLine(List.of("bash", "-c", "fio --version 2>&1")));
    f.put("kernel overlayfs options", "defaults (module: redirect_dir=" + param("redirect_dir")
        + ", metacopy=" + param("metacopy") + ", index=" + param("index") + ")");
    f.put("data set", data.dir + " (generator v" + DataSet.GENERATOR_VERSION + ")");
    return f;
  }

  private static String param(String name) {
    try {
      return Files.readString(Path.of("/sys/module/overlay/parameters", name)).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static String oneLine(List<String> cmd) {
    String s = Proc.output(cmd, Duration.ofSeconds(20));
    return s == null ? "?" : s.trim().replace('\n', ';').replace("|", "/");
  }
}
