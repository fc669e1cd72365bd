package org.unionfsjava.model;

import java.nio.file.Path;

/**
 * One branch's part in a visible object: the branch and the real path there. For a merged
 * directory each contributing branch gives one layer; the path in a lower need not be the union
 * path (a renamed directory redirects to its old name).
 */
public record Layer(Branch branch, Path path) {

  /** True if this layer is in the upper. */
  public boolean inUpper() {
    return branch.isUpper();
  }
}
