package org.unionfsjava.cli;

import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.fs.UnionMount;

/** What actually mounts a union: {@link UnionMount#mount} in production, a fake in tests. */
@FunctionalInterface
interface MountStarter {

  /** Mounts the union and returns once the kernel serves it. */
  UnionMount start(MountConfig options) throws MountFailure;
}
