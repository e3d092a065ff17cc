/*
 * What one journal flush costs on this disk (BENCHMARKS.md, "Wire speed", third session): N times, write a
 * 110-byte line and fdatasync it, either appending (mode 0, the file grows at every flush) or overwriting a file
 * already written with zeros (mode 1, as `Journal` keeps it while a run writes). Prints wall and CPU per flush.
 *
 *   cc -O2 -o bench-fsync scripts/bench-fsync.c && ./bench-fsync 0 5000 /var/tmp/f && ./bench-fsync 1 5000 /var/tmp/f
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
static double cpu(void){struct rusage r;getrusage(RUSAGE_SELF,&r);return r.ru_utime.tv_sec+r.ru_utime.tv_usec/1e6+r.ru_stime.tv_sec+r.ru_stime.tv_usec/1e6;}
int main(int argc,char**argv){
  if(argc!=4){fprintf(stderr,"usage: %s MODE(0|1) COUNT FILE\n",argv[0]);return 64;}
  int mode=atoi(argv[1]); int n=atoi(argv[2]); const char*p=argv[3];
  unlink(p);
  int fd=open(p,O_RDWR|O_CREAT|(mode==0?O_APPEND:0),0644);
  size_t len=110; char line[110]; memset(line,'x',len); line[len-1]='\n';
  size_t total=(size_t)n*len;
  if(mode==1){ char*z=calloc(1,total); pwrite(fd,z,total,0); fsync(fd); free(z);} 
  double t0=now(),c0=cpu();
  for(int i=0;i<n;i++){ if(mode==0) write(fd,line,len); else pwrite(fd,line,len,(off_t)i*len); fdatasync(fd);} 
  double t1=now(),c1=cpu();
  printf("mode %d: %.1f us/op wall, %.1f us/op cpu\n",mode,(t1-t0)/n*1e6,(c1-c0)/n*1e6);
}
