package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * One mounted union per {@link UnionSystem}, shared by the tests of a class whose tests work in
 * their own subdirectories. Each union's branches are filled by the class's {@link Fill} before
 * it is mounted (lowers must not change under a kernel overlay), on first use, so a test that
 * runs one system mounts only that one. Close it in {@code @AfterAll}: every mount is unmounted.
 *
 * <p>A mount that failed is remembered and reported again to every later test of that system,
 * rather than retried with a long timeout each time.
 */
public final class SharedUnions implements AutoCloseable {
  /** Fills the branches of a union that is not yet mounted. */
  @FunctionalInterface
  public interface Fill {
    void into(TestUnion union) throws IOException;
  }

  private final Path root;
  private final int lowerCount;
  private final Fill fill;
  private final Map<UnionSystem, TestUnion> unions = new EnumMap<>(UnionSystem.class);
  private final Map<UnionSystem, AssertionError> failures = new EnumMap<>(UnionSystem.class);

  public SharedUnions(Path root, int lowerCount, Fill fill) {
    this.root = root;
    this.lowerCount = lowerCount;
    this.fill = fill;
  }

  /** The mounted union of this system, mounting it on first use. */
  public synchronized TestUnion get(UnionSystem system) {
    SystemSelection.assumeSelected(system);
    TestUnion u = unions.get(system);
    if (u != null) {
      return u;
    }
    AssertionError failed = failures.get(system);
    if (failed != null) {
      throw new AssertionError("the shared " + system + " union did not mount earlier", failed);
    }
    TestUnion union = TestUnion.create(root.resolve(system.name()), lowerCount, system);
    try {
      fill.into(union);
      union.mount();
    } catch (IOException e) {
      union.close();
      throw new UncheckedIOException(e);
    } catch (AssertionError | RuntimeException e) {
      union.close();
      AssertionError err = e instanceof AssertionError ae ? ae : new AssertionError(e);
      failures.put(system, err);
      throw err;
    }
    unions.put(system, union);
    return union;
  }

  /** Unmounts every union this object mounted. */
  @Override
  public synchronized void close() {
    unions.values().forEach(TestUnion::close);
    unions.clear();
  }
}
