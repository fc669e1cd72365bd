package org.unionfsjava.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The branches of one union: exactly one writable upper and one or more read-only lowers, top
 * first. Index 0 is the upper; lower i (1-based, top first) has index i.
 */
public final class BranchStack {
  private final Branch upper;
  private final List<Branch> lowers;
  private final List<Branch> all;

  private BranchStack(Branch upper, List<Branch> lowers) {
    this.upper = upper;
    this.lowers = List.copyOf(lowers);
    List<Branch> a = new ArrayList<>();
    a.add(upper);
    a.addAll(lowers);
    this.all = List.copyOf(a);
  }

  /** A stack of an upper root and lower roots, top first. */
  public static BranchStack of(Path upperRoot, List<Path> lowerRoots) {
    if (lowerRoots.isEmpty()) {
      throw new IllegalArgumentException("a union needs at least one lower branch");
    }
    List<Branch> ls = new ArrayList<>();
    for (int i = 0; i < lowerRoots.size(); i++) {
      ls.add(new Branch(i + 1, lowerRoots.get(i), false));
    }
    return new BranchStack(new Branch(0, upperRoot, true), ls);
  }

  /** The writable upper. */
  public Branch upper() {
    return upper;
  }

  /** The read-only lowers, top first. */
  public List<Branch> lowers() {
    return lowers;
  }

  /** All branches, upper first. */
  public List<Branch> all() {
    return all;
  }

  /** The branch with this index. */
  public Branch get(int index) {
    return all.get(index);
  }

  /** The number of branches, upper included. */
  public int size() {
    return all.size();
  }
}
