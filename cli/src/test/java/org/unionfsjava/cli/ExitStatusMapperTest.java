package org.unionfsjava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.unionfsjava.fs.MountFailure;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.UnionException;

/** Exit codes come from the type and reason of a failure, never from its message. */
class ExitStatusMapperTest {

  @Test
  void everyMountFailureReason_hasItsDocumentedCode() {
    Map<MountFailure.Reason, Integer> expected = new EnumMap<>(MountFailure.Reason.class);
    expected.put(MountFailure.Reason.FORMAT_MISMATCH, 5);
    expected.put(MountFailure.Reason.UPPER_IN_USE, 3);
    expected.put(MountFailure.Reason.FUSE_REFUSED, 6);
    expected.put(MountFailure.Reason.FAILED, 6);
    for (MountFailure.Reason reason : MountFailure.Reason.values()) {
      MountFailure failure = new MountFailure(reason, "whiteout format words", "/u", Errno.EINVAL,
          null);
      assertEquals(expected.get(reason), ExitStatusMapper.statusOf(failure).code(), reason.name());
      assertEquals(expected.get(reason), new ExitStatusMapper().getExitCode(failure), reason.name());
    }
  }

  @Test
  void unionExceptionMentioningTheFormat_isAFailedMountNotAMismatch() {
    UnionException e = new UnionException(Errno.EINVAL, "/u", "the upper is in the aufs whiteout"
        + " format, not overlay as requested");
    assertEquals(ExitStatus.MOUNT_FAILED, ExitStatusMapper.statusOf(e));
  }

  @Test
  void errorLine_problemErrnoPath() {
    assertEquals("unionfs-java: mount failed: busy (EIO): /mnt/u", ExitStatusMapper.errorLine(
        new MountFailure(MountFailure.Reason.FUSE_REFUSED, "mount failed: busy", "/mnt/u",
            Errno.EIO, null)));
    assertEquals("unionfs-java: upper is in use: /srv/u", ExitStatusMapper.errorLine(
        new MountFailure(MountFailure.Reason.UPPER_IN_USE, "upper is in use", "/srv/u", null,
            null)));
    assertEquals("unionfs-java: no such thing (ENOENT): /x", ExitStatusMapper.errorLine(
        new UnionException(Errno.ENOENT, "/x", "no such thing")));
  }
}
