/* Prints the libfuse 3 structure offsets that org.unionfsjava.fs.fuse3.Fuse3Abi hard-codes
   (the low-level API, x86_64):
   gcc -o /tmp/fuse3-offsets fuse3-lowlevel-offsets.c $(pkg-config --cflags fuse3) && /tmp/fuse3-offsets
   (needs libfuse3-dev; not needed at run time). */
#define FUSE_USE_VERSION 314
#include <fuse3/fuse_lowlevel.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/statvfs.h>
#define O(s,f) printf("%s.%s %zu\n", #s, #f, offsetof(struct s, f))
#define BIT(f) do { struct fuse_file_info fi; memset(&fi,0,sizeof fi); fi.f = 1; unsigned w; memcpy(&w, ((char*)&fi)+4, 4); printf("fuse_file_info.%s word@4 mask 0x%x\n", #f, w);} while(0)
#define L(f) printf("ll %2zu %s\n", offsetof(struct fuse_lowlevel_ops,f)/8, #f)
int main(void){
 printf("sizeof fuse_lowlevel_ops %zu\n", sizeof(struct fuse_lowlevel_ops));
 L(init);L(destroy);L(lookup);L(forget);L(getattr);L(setattr);L(readlink);L(mknod);L(mkdir);L(unlink);L(rmdir);
 L(symlink);L(rename);L(link);L(open);L(read);L(write);L(flush);L(release);L(fsync);L(opendir);L(readdir);
 L(releasedir);L(fsyncdir);L(statfs);L(setxattr);L(getxattr);L(listxattr);L(removexattr);L(access);L(create);
 L(getlk);L(setlk);L(bmap);L(ioctl);L(poll);L(write_buf);L(retrieve_reply);L(forget_multi);L(flock);
 L(fallocate);L(readdirplus);L(copy_file_range);L(lseek);
 printf("sizeof fuse_entry_param %zu\n", sizeof(struct fuse_entry_param));
 O(fuse_entry_param,ino);O(fuse_entry_param,generation);O(fuse_entry_param,attr);O(fuse_entry_param,attr_timeout);O(fuse_entry_param,entry_timeout);
 printf("sizeof fuse_ctx %zu\n", sizeof(struct fuse_ctx));
 O(fuse_ctx,uid);O(fuse_ctx,gid);O(fuse_ctx,pid);O(fuse_ctx,umask);
 printf("sizeof fuse_args %zu\n", sizeof(struct fuse_args));
 O(fuse_args,argc);O(fuse_args,argv);O(fuse_args,allocated);
 printf("sizeof fuse_forget_data %zu\n", sizeof(struct fuse_forget_data));
 O(fuse_forget_data,ino);O(fuse_forget_data,nlookup);
 printf("sizeof fuse_file_info %zu\n", sizeof(struct fuse_file_info));
 O(fuse_file_info,flags); O(fuse_file_info,fh);
 BIT(direct_io);BIT(keep_cache);BIT(cache_readdir);BIT(noflush);
 printf("sizeof fuse_conn_info %zu\n", sizeof(struct fuse_conn_info));
 O(fuse_conn_info,max_write);O(fuse_conn_info,capable);O(fuse_conn_info,want);
 printf("sizeof statvfs %zu\n", sizeof(struct statvfs));
 O(statvfs,f_bsize);O(statvfs,f_frsize);O(statvfs,f_blocks);O(statvfs,f_bfree);O(statvfs,f_bavail);O(statvfs,f_files);O(statvfs,f_ffree);O(statvfs,f_favail);O(statvfs,f_namemax);
 printf("sizeof stat %zu\n", sizeof(struct stat));
 O(stat,st_ino);O(stat,st_mode);O(stat,st_uid);O(stat,st_gid);O(stat,st_size);O(stat,st_atim);O(stat,st_mtim);
 printf("FUSE_CAP_POSIX_ACL 0x%x READDIRPLUS 0x%x AUTO 0x%x PARALLEL_DIROPS 0x%x HANDLE_KILLPRIV 0x%x\n", FUSE_CAP_POSIX_ACL, FUSE_CAP_READDIRPLUS, FUSE_CAP_READDIRPLUS_AUTO, FUSE_CAP_PARALLEL_DIROPS, FUSE_CAP_HANDLE_KILLPRIV);
 printf("FUSE_SET_ATTR MODE %d UID %d GID %d SIZE %d ATIME %d MTIME %d ATIME_NOW %d MTIME_NOW %d\n", FUSE_SET_ATTR_MODE, FUSE_SET_ATTR_UID, FUSE_SET_ATTR_GID, FUSE_SET_ATTR_SIZE, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_ATIME_NOW, FUSE_SET_ATTR_MTIME_NOW);
 return 0;}
