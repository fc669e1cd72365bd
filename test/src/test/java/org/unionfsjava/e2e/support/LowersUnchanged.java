package org.unionfsjava.e2e.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that proves the lowers a test used were not changed (DESIGN §2: "Lowers are
 * never written"). The test calls {@link #watch} on every lower once it is filled and before
 * anything is mounted over it; after the test (whether it passed or failed) every watched lower is
 * fingerprinted again with {@link BranchChecksum} and the test fails with the differences.
 *
 * <pre>{@code
 * @RegisterExtension final LowersUnchanged lowers = new LowersUnchanged();
 * ... fill union.lower(1) ...; lowers.watch(union.lowers()); union.mount(); ...
 * }</pre>
 */
public final class LowersUnchanged implements AfterEachCallback {
  private final Map<Path, Map<String, String>> watched = new LinkedHashMap<>();

  /** Fingerprints these directories now, to be compared after the test. */
  public void watch(List<Path> lowers) {
    lowers.forEach(this::watch);
  }

  /**
   * Fingerprints this directory now, to be compared after the test. Its filesystem is synced
   * first: a file the test just wrote may still wait for delayed allocation, and its st_blocks
   * would then grow by an extent block later without anyone writing it (seen once in CI on a
   * 64 MiB fixture: 131072 -> 131080 blocks, mtime and ctime unchanged).
   */
  public synchronized void watch(Path lower) {
    Processes.run(java.time.Duration.ofSeconds(120), "sync", "-f", lower.toString()).requireSuccess("sync -f");
    watched.put(lower, BranchChecksum.of(lower));
  }

  /** How many directories are watched (a test can assert it watched something). */
  public synchronized int count() {
    return watched.size();
  }

  /** Compares every watched directory with its fingerprint now; throws with the differences. */
  public synchronized void verify() {
    List<String> problems = new ArrayList<>();
    watched.forEach((lower, before) -> {
      List<String> d = BranchChecksum.diff(before, BranchChecksum.of(lower));
      if (!d.isEmpty()) {
        problems.add("lower " + lower + " changed (" + d.size() + " paths):\n  "
            + String.join("\n  ", d.subList(0, Math.min(d.size(), 40))));
      }
    });
    if (!problems.isEmpty()) {
      throw new AssertionError("DESIGN §2: lowers are never written, but\n" + String.join("\n", problems));
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    try {
      verify();
    } finally {
      watched.clear();
    }
  }
}
