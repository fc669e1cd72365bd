"""A read-only FUSE passthrough for ParallelReadsTest: a read waits (up to GATE seconds) until
WANT reads are in flight together, as on a lower whose server answers slowly, and the largest
number of reads seen in flight at once is written to STATS after every read.

usage: gated_lower.py SOURCE MOUNTPOINT STATS WANT GATE
"""
import os
import sys
import threading

from fusepy import FUSE, FuseOSError, Operations


class GatedLower(Operations):
    def __init__(self, root, stats, want, gate):
        self.root = root
        self.stats = stats
        self.want = want
        self.gate = gate
        self.cond = threading.Condition()
        self.in_flight = 0
        self.most = 0

    def _real(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def getattr(self, path, fh=None):
        try:
            st = os.lstat(self._real(path))
        except OSError as e:
            raise FuseOSError(e.errno)
        return {k: getattr(st, k) for k in ('st_atime', 'st_ctime', 'st_gid', 'st_mode',
                                            'st_mtime', 'st_nlink', 'st_size', 'st_uid')}

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self._real(path))

    def open(self, path, flags):
        return os.open(self._real(path), os.O_RDONLY)

    def read(self, path, size, offset, fh):
        with self.cond:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.in_flight >= self.want, timeout=self.gate)
        try:
            return os.pread(fh, size, offset)
        finally:
            with self.cond:
                self.in_flight -= 1
                most = self.most
            with open(self.stats, 'w') as f:
                f.write('%d\n' % most)

    def release(self, path, fh):
        os.close(fh)


if __name__ == '__main__':
    source, mountpoint, stats, want, gate = sys.argv[1:6]
    FUSE(GatedLower(source, stats, int(want), float(gate)), mountpoint, foreground=True,
         ro=True, allow_other=True, nothreads=False, fsname='gated', subtype='gated')
