package org.unionfsjava.e2e.differential;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * One differential run: fresh lowers and model from the seed, a union mounted over the lowers,
 * {@code steps} generated operations applied to both and compared after each, then unmount,
 * mount again and compare once more. A mismatch ends the run with a {@link Mismatch} that names
 * the seed, the step, the operation and the differences, and carries the op log; replaying a
 * fixed list of operations ({@link #replay}) is what shrinking uses.
 */
final class DifferentialRun {
  /** A difference between union and model: at one step, or at the start or end of the run. */
  static final class Mismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The step whose operation was followed by the difference; 0 before any, steps+1 after remount. */
    final int step;
    final boolean atRemount;
    /** Where it was found, for the report: "step 17", "at the start", "after the last step (xattrs)" ... */
    final String phase;
    final List<Op> ops;
    final List<String> log;
    final List<String> problems;

    Mismatch(int step, boolean atRemount, String phase, List<Op> ops, List<String> log, List<String> problems) {
      super(problems.isEmpty() ? "mismatch" : problems.get(0), null, false, false);
      this.step = step;
      this.atRemount = atRemount;
      this.phase = phase;
      this.ops = List.copyOf(ops);
      this.log = List.copyOf(log);
      this.problems = List.copyOf(problems);
    }
  }

  /** What a run that passed did. */
  record Summary(int steps, int exdevFallbacks, int failedCalls, List<String> log) {}

  private final UnionSystem system;
  private final long seed;
  private final Set<Session.Check> checks;
  private final Set<Op.Kind> skip;
  private final Consumer<List<Path>> onLowersFilled;
  private UnionSystem crossTo;

  DifferentialRun(UnionSystem system, long seed, Set<Session.Check> checks, Set<Op.Kind> skip,
      Consumer<List<Path>> onLowersFilled) {
    this.system = system;
    this.seed = seed;
    this.checks = checks;
    this.skip = skip;
    this.onLowersFilled = onLowersFilled;
  }

  /**
   * After the run (and the remount), unmount and mount the same branches with this other system
   * and compare once more (interop: the upper one system wrote, read by the other). unionfs-java
   * then keeps its work directory beside the upper ({@code --workdir}), not inside it.
   */
  private String cacheTtl;

  /**
   * Mounts unionfs-java with this {@code --cache-ttl} (the kernel's timeouts follow it). With "0s"
   * nothing is cached by the kernel, so a hard link's other names are seen at once; see
   * {@link DifferentialTest} for why some runs use it.
   */
  DifferentialRun withCacheTtl(String ttl) {
    this.cacheTtl = ttl;
    return this;
  }

  DifferentialRun crossMountWith(UnionSystem other) {
    this.crossTo = other;
    return this;
  }

  private TestUnion union(Path dir, UnionSystem sys) {
    TestUnion u = TestUnion.create(dir.resolve("union"), 2, sys);
    if (cacheTtl != null && sys.isJava()) {
      u.withArgs("--cache-ttl", cacheTtl);
    }
    if (crossTo != null && sys.isJava()) {
      try {
        u.withArgs("--workdir", Files.createDirectories(dir.resolve("union/jwork")).toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return u;
  }

  /** Generates and applies {@code steps} operations under {@code dir}; throws {@link Mismatch}. */
  Summary run(Path dir, int steps) {
    OpGenerator gen = new OpGenerator(seed, skip);
    return execute(dir, steps, gen, null, true);
  }

  /** Applies exactly these operations; returns the mismatch, or null if none. */
  Mismatch replay(Path dir, List<Op> ops, boolean remount) {
    try {
      execute(dir, ops.size(), null, ops, remount);
      return null;
    } catch (Mismatch m) {
      return m;
    }
  }

  private Summary execute(Path dir, int steps, OpGenerator gen, List<Op> fixed, boolean remount) {
    TestUnion union = union(dir, system);
    Path model = dir.resolve("model");
    List<Op> ops = new ArrayList<>();
    List<String> log = new ArrayList<>();
    int failedCalls = 0;
    try {
      Files.createDirectories(model);
      LowerTree.fill(seed, union.lowers());
      LowerTree.buildModel(union.lowers(), model);
      if (onLowersFilled != null) {
        onLowersFilled.accept(union.lowers());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (union) {
      union.mount();
      Session s = new Session(union.mnt(), model, checks);
      List<String> initial = s.compare(true);
      if (!initial.isEmpty()) {
        throw new Mismatch(0, false, "at the start, before any operation", ops, log, initial);
      }
      for (int i = 1; i <= steps; i++) {
        Op op = fixed != null ? fixed.get(i - 1) : gen.next(model);
        ops.add(op);
        Session.Outcome o = s.apply(op);
        log.add(String.format("%4d %-60s %s", i, op, o));
        if (!o.model().equals("OK")) {
          failedCalls++;
        }
        List<String> problems = new ArrayList<>();
        if (checks.contains(Session.Check.ERRNO) && !o.model().equals(o.union())) {
          problems.add("outcome: model " + o.model() + " but union " + o.union());
        }
        if (problems.isEmpty()) {
          problems.addAll(s.compare(false));
        }
        if (!problems.isEmpty()) {
          throw new Mismatch(i, false, "step " + i + "/" + steps, ops, log, problems);
        }
      }
      List<String> end = s.compare(true);
      if (!end.isEmpty()) {
        throw new Mismatch(steps, false, "after the last step (" + steps + ", with the xattr check)", ops, log, end);
      }
      if (remount) {
        union.unmount();
        union.mount();
        List<String> after = s.compare(true);
        if (!after.isEmpty()) {
          log.add("     (unmounted and mounted again)");
          throw new Mismatch(steps + 1, true, "after unmount + mount (all " + steps + " steps passed)", ops, log, after);
        }
      }
      if (remount && crossTo != null) {
        union.unmount();
        try (TestUnion other = union(dir, crossTo)) {
          other.mount();
          List<String> cross = s.onOtherMount(other.mnt()).compare(true);
          if (!cross.isEmpty()) {
            log.add("     (unmounted, then mounted the same branches with " + crossTo + ")");
            throw new Mismatch(steps + 1, true, "with the same upper and lowers mounted by " + crossTo
                + " after all " + steps + " steps passed on " + system, ops, log, cross);
          }
        }
      }
      return new Summary(steps, s.exdevFallbacks(), failedCalls, log);
    }
  }

  /**
   * Delta debugging (ddmin) of the operations up to the mismatch, each candidate replayed on a
   * fresh union under {@code dir}, until no chunk can go or the time budget is spent.
   */
  List<Op> shrink(Path dir, Mismatch m, Duration budget, List<String> progress) {
    long deadline = System.nanoTime() + budget.toNanos();
    List<Op> cur = new ArrayList<>(m.ops);
    int n = 2;
    int attempt = 0;
    while (cur.size() >= 2 && System.nanoTime() < deadline) {
      int chunk = (cur.size() + n - 1) / n;
      boolean reduced = false;
      for (int start = 0; start < cur.size() && System.nanoTime() < deadline; start += chunk) {
        List<Op> candidate = new ArrayList<>(cur.subList(0, start));
        candidate.addAll(cur.subList(Math.min(cur.size(), start + chunk), cur.size()));
        if (candidate.isEmpty()) {
          continue;
        }
        Mismatch again;
        try {
          again = replay(dir.resolve("shrink-" + (attempt++)), candidate, m.atRemount);
        } catch (AssertionError | RuntimeException e) { // e.g. the union did not mount: keep what we have
          String msg = String.valueOf(e.getMessage()).strip();
          progress.add("stopped after " + attempt + " replays: " + msg.substring(0, Math.min(200, msg.length())));
          return cur;
        }
        if (again != null) {
          // keep only the operations up to where the candidate failed
          cur = new ArrayList<>(candidate.subList(0, Math.min(candidate.size(), Math.max(1, again.step))));
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
      if (!reduced) {
        if (n >= cur.size()) {
          break;
        }
        n = Math.min(cur.size(), n * 2);
      }
    }
    progress.add(attempt + " replays, " + (System.nanoTime() < deadline ? "minimal (1-minimal by ddmin)" : "time budget spent, partial"));
    return cur;
  }
}
