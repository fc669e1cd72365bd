/* Prints the libfuse 3 structure offsets that org.unionfsjava.fs.fuse3.Fuse3Abi hard-codes.
   gcc -o /tmp/fuse3-offsets fuse3-offsets.c $(pkg-config --cflags fuse3) && /tmp/fuse3-offsets
   (needs libfuse3-dev). struct fuse_session is private (lib/fuse_i.h): its op table at offset 40
   in 3.14 is not printed here; Fuse3Session checks it at run time. */
#define FUSE_USE_VERSION 314
#include <fuse3/fuse.h>
#include <fuse3/fuse_lowlevel.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#define O(s,f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f))
#define BIT(f) do { struct fuse_file_info fi; memset(&fi,0,sizeof fi); fi.f = 1; unsigned w; memcpy(&w, ((char*)&fi)+4, 4); printf("fuse_file_info.%s word@4 mask 0x%x\n", #f, w);} while(0)
int main(void){
 printf("sizeof fuse_file_info %zu\n", sizeof(struct fuse_file_info));
 O(fuse_file_info,flags); O(fuse_file_info,fh); O(fuse_file_info,lock_owner); O(fuse_file_info,poll_events);
 BIT(writepage);BIT(direct_io);BIT(keep_cache);BIT(flush);BIT(nonseekable);BIT(flock_release);BIT(cache_readdir);BIT(noflush);
 printf("sizeof fuse_config %zu\n", sizeof(struct fuse_config));
 O(fuse_config,set_gid);O(fuse_config,entry_timeout);O(fuse_config,negative_timeout);O(fuse_config,attr_timeout);
 O(fuse_config,intr);O(fuse_config,remember);O(fuse_config,hard_remove);O(fuse_config,use_ino);O(fuse_config,readdir_ino);
 O(fuse_config,direct_io);O(fuse_config,kernel_cache);O(fuse_config,auto_cache);O(fuse_config,no_rofd_flush);
 O(fuse_config,ac_attr_timeout_set);O(fuse_config,ac_attr_timeout);O(fuse_config,nullpath_ok);O(fuse_config,debug);
 printf("sizeof fuse_conn_info %zu\n", sizeof(struct fuse_conn_info));
 O(fuse_conn_info,max_write);O(fuse_conn_info,max_read);O(fuse_conn_info,max_readahead);O(fuse_conn_info,capable);O(fuse_conn_info,want);O(fuse_conn_info,max_background);O(fuse_conn_info,congestion_threshold);O(fuse_conn_info,time_gran);
 O(fuse_context,fuse);O(fuse_context,uid);O(fuse_context,gid);O(fuse_context,pid);O(fuse_context,private_data);O(fuse_context,umask);
 printf("sizeof fuse_operations %zu\n", sizeof(struct fuse_operations));
#define P(f) printf("op %2zu %s\n", offsetof(struct fuse_operations,f)/8, #f)
 P(getattr);P(readlink);P(mknod);P(mkdir);P(unlink);P(rmdir);P(symlink);P(rename);P(link);P(chmod);P(chown);P(truncate);P(open);P(read);P(write);P(statfs);P(flush);P(release);P(fsync);P(setxattr);P(getxattr);P(listxattr);P(removexattr);P(opendir);P(readdir);P(releasedir);P(fsyncdir);P(init);P(destroy);P(access);P(create);P(lock);P(utimens);P(bmap);P(ioctl);P(poll);P(write_buf);P(read_buf);P(flock);P(fallocate);P(copy_file_range);P(lseek);
 printf("sizeof statvfs %zu\n", sizeof(struct statvfs));
 O(statvfs,f_bsize);O(statvfs,f_frsize);O(statvfs,f_blocks);O(statvfs,f_bfree);O(statvfs,f_bavail);O(statvfs,f_files);O(statvfs,f_ffree);O(statvfs,f_favail);O(statvfs,f_fsid);O(statvfs,f_flag);O(statvfs,f_namemax);
 printf("sizeof timespec %zu sizeof stat %zu\n", sizeof(struct timespec), sizeof(struct stat));
 printf("FUSE_CAP_POSIX_ACL %d READDIRPLUS %d AUTO %d PARALLEL_DIROPS %d\n", FUSE_CAP_POSIX_ACL, FUSE_CAP_READDIRPLUS, FUSE_CAP_READDIRPLUS_AUTO, FUSE_CAP_PARALLEL_DIROPS);
 /* for the libfuse 3.14 cache_readdir workaround (Fuse3Session): the lowlevel opendir slot */
 printf("fuse_lowlevel_ops.opendir slot %zu, sizeof %zu\n", offsetof(struct fuse_lowlevel_ops, opendir)/8, sizeof(struct fuse_lowlevel_ops));
 return 0;}
