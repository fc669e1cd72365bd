package org.unionfsjava.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the real harness on a tiny data set for unionfs-java and kernel overlayfs (one
 * repetition) and checks that it produced a complete table: every workload has a number for both
 * systems and finite ratios. No timing assertions: the numbers of a tiny set mean nothing.
 */
class BenchSmokeTest {

  @Test
  @Timeout(120)
  void harnessProducesACompleteTable() throws Exception {
    Path repo = Path.of(System.getProperty("unionfs.repo.dir", "..")).toAbsolutePath().normalize();
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root (mounts, drop_caches)");
    assumeTrue(UnionSystem.UJ.missing(repo) == null, "unionfs-java CLI not built");
    assumeTrue(UnionSystem.KERNEL.missing(repo) == null, "no kernel overlayfs");

    Path dir = Path.of(System.getProperty("bench.smoke.dir", "target/bench-smoke")).toAbsolutePath();
    Bench.Options o = new Bench.Options();
    o.mode = "tiny";
    o.reps = 1;
    o.systems = List.of(UnionSystem.KERNEL, UnionSystem.UJ);
    o.base = dir.resolve("base");
    o.results = dir.resolve("results");
    o.repo = repo;
    Results r = Bench.run(o);
    assertNotNull(r);

    assertTrue(r.workloads.size() >= 20, "workloads: " + r.workloads.size());
    for (Workload w : r.workloads) {
      double uj = r.median(w.name(), UnionSystem.UJ);
      assertTrue(Double.isFinite(uj) && uj >= 0, w.name() + ": unionfs-java has no number; notes "
          + r.notes);
      if (w.kind() == Workload.Kind.RSS) {
        assertTrue(uj > 1, "rss of the java daemon in MiB: " + uj);
        continue; // the kernel has no daemon: no ratio by design
      }
      double k = r.median(w.name(), UnionSystem.KERNEL);
      assertTrue(Double.isFinite(k) && k > 0, w.name() + ": kernel has no number; notes " + r.notes);
      double ratio = r.ratioToKernel(w, UnionSystem.UJ);
      assertTrue(Double.isFinite(ratio) && ratio > 0, w.name() + ": ratio " + ratio);
    }
    assertTrue(r.samples.stream().noneMatch(s -> s.status().equals("check-failed")),
        "a result check failed: " + r.notes);

    for (String f : List.of("results.md", "results.csv", "samples.csv", "ratios.svg")) {
      assertTrue(Files.size(o.results.resolve(f)) > 100, f);
    }
    List<String> csv = Files.readAllLines(o.results.resolve("results.csv"));
    assertEquals(1 + r.workloads.size() * 2, csv.size(), "one CSV row per workload and system");
    String md = Files.readString(o.results.resolve("results.md"));
    for (Workload w : r.workloads) {
      assertTrue(md.contains("| " + w.name() + " |"), "table row for " + w.name());
    }
    assertTrue(Files.readString(o.results.resolve("ratios.svg")).startsWith("<svg"));
  }
}
