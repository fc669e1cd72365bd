package org.unionfsjava.e2e.support;

/**
 * The names a unionfs-java mount must never show (DESIGN §2 "minus the union's own internal
 * names"; package-info "Lookup" rule 5): the work directory {@code .unionfs-java} (and any other
 * {@code .unionfs*} state directory), aufs markers {@code .wh.*} (whiteouts, {@code .wh..wh..opq},
 * the project's {@code .wh..wh..redirect}), and libfuse2's hidden names {@code .fuse_hidden*}
 * for files unlinked while open, which the union keeps in its work directory.
 *
 * <p>In the overlay format {@code .wh.x} is an ordinary user name; tests that create such names
 * on purpose exclude them.
 */
public final class RelInternalNames {
  private RelInternalNames() {}

  /** True for a name (one component) that is internal to some union format. */
  public static boolean isInternal(String name) {
    return name.startsWith(".unionfs") || name.startsWith(".wh.") || name.startsWith(".fuse_hidden");
  }
}
