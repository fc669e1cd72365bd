package org.unionfsjava.cli;

import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.fs.UnionMount;
import org.unionfsjava.fs.UpperInUseException;
import org.unionfsjava.model.UnionException;

/** What actually mounts a union: {@link UnionMount#mount} in production, a fake in tests. */
@FunctionalInterface
interface MountStarter {

  /** Mounts the union and returns once the kernel serves it. */
  UnionMount start(MountConfig options) throws UpperInUseException, UnionException;
}
