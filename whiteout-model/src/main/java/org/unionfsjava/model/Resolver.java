package org.unionfsjava.model;

import java.io.IOException;

/** Resolves union paths; the FUSE layer puts a cache in front of {@link Lookup}. */
@FunctionalInterface
public interface Resolver {
  /** What this path resolves to now. */
  Resolution resolve(UnionPath path) throws IOException;
}
