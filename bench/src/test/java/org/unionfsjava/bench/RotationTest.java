package org.unionfsjava.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The order in which each repetition runs the systems: rotated by one each time. */
class RotationTest {
  private static final UnionSystem K = UnionSystem.KERNEL;
  private static final UnionSystem F = UnionSystem.FUSE_OVERLAYFS;
  private static final UnionSystem U = UnionSystem.UNIONFS_FUSE;
  private static final UnionSystem J = UnionSystem.UJ;

  @Test
  void eachRepetitionStartsOneSystemLater() {
    List<UnionSystem> systems = List.of(K, F, U, J);
    assertEquals(List.of(K, F, U, J), Bench.inRotation(systems, 1));
    assertEquals(List.of(F, U, J, K), Bench.inRotation(systems, 2));
    assertEquals(List.of(J, K, F, U), Bench.inRotation(systems, 4));
    assertEquals(List.of(K, F, U, J), Bench.inRotation(systems, 5), "back to the start");
    assertEquals(List.of(K, F, U, J), systems, "the given list is not changed");
  }

  @Test
  void everySystemGoesFirstOnceInAFullCycle() {
    List<UnionSystem> systems = List.of(K, F, U, J);
    Set<String> firsts = new HashSet<>();
    for (int rep = 1; rep <= systems.size(); rep++) {
      firsts.add(Bench.inRotation(systems, rep).get(0).id);
    }
    assertEquals(systems.size(), firsts.size());
    assertEquals(List.of(), Bench.inRotation(List.of(), 3));
  }
}
