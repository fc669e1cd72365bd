package org.unionfsjava.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order in which each repetition runs the systems: a Williams design. */
class BalancedOrderTest {
  private static final List<UnionSystem> ALL = List.of(UnionSystem.values());

  @Test
  void eachRepetitionRunsEverySystemOnce() {
    for (int rep = 1; rep <= 12; rep++) {
      List<UnionSystem> order = Bench.inBalancedOrder(ALL, rep);
      assertEquals(ALL.size(), order.size());
      assertEquals(EnumSet.allOf(UnionSystem.class), EnumSet.copyOf(order), "rep " + rep);
    }
    assertEquals(ALL, List.of(UnionSystem.values()), "the given list is not changed");
  }

  @Test
  void sixSystems_eachFollowsEachOtherExactlyOnceInSixRepetitions() {
    assertEquals(6, ALL.size());
    Map<String, Integer> pairs = new HashMap<>();
    for (int rep = 1; rep <= 6; rep++) {
      List<UnionSystem> order = Bench.inBalancedOrder(ALL, rep);
      for (int i = 1; i < order.size(); i++) {
        pairs.merge(order.get(i - 1).id + ">" + order.get(i).id, 1, Integer::sum);
      }
    }
    assertEquals(6 * 5, pairs.size(), "every ordered pair of different systems: " + pairs);
    assertTrue(pairs.values().stream().allMatch(c -> c == 1), pairs.toString());
  }

  @Test
  void theFirstRepetitionKeepsTheGivenFirstSystem_andFewSystemsWork() {
    assertEquals(UnionSystem.KERNEL, Bench.inBalancedOrder(ALL, 1).get(0));
    List<UnionSystem> two = List.of(UnionSystem.KERNEL, UnionSystem.UJ);
    assertEquals(two, Bench.inBalancedOrder(two, 1));
    assertEquals(List.of(UnionSystem.UJ, UnionSystem.KERNEL), Bench.inBalancedOrder(two, 2));
    assertEquals(List.of(UnionSystem.UJ), Bench.inBalancedOrder(List.of(UnionSystem.UJ), 3));
    assertEquals(List.of(), Bench.inBalancedOrder(List.of(), 1));
  }
}
