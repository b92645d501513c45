#include "platform/topo.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "platform/cpu.h"

/* The process's CPU affinity as first seen, before any thread was pinned: qb_topo_detect
 * runs at start-up, and the first qb_topo_bind_thread call comes before any pinning. */
static cpu_set_t qb__allowed;
static bool qb__allowed_known;
static pthread_once_t qb__allowed_once = PTHREAD_ONCE_INIT;

static void qb__allowed_init(void) {
  CPU_ZERO(&qb__allowed);
  qb__allowed_known =
      sched_getaffinity(0, sizeof qb__allowed, &qb__allowed) == 0 && CPU_COUNT(&qb__allowed) > 0;
}

#ifdef QB_HAVE_HWLOC
#include <hwloc.h>

static bool qb__cpu_allowed(unsigned cpu) {
  pthread_once(&qb__allowed_once, qb__allowed_init);
  return !qb__allowed_known || (cpu < CPU_SETSIZE && CPU_ISSET(cpu, &qb__allowed));
}

static uint64_t qb__cache_size(hwloc_topology_t topo, hwloc_obj_type_t type) {
  hwloc_obj_t o = hwloc_get_next_obj_by_type(topo, type, NULL);
  return o && o->attr ? o->attr->cache.size : 0;
}

/* The first PU (OS index) of a core that the affinity allows; -1 when none is. */
static int qb__core_pu(hwloc_obj_t core) {
  if (core == NULL || core->cpuset == NULL) return -1;
  for (int id = hwloc_bitmap_first(core->cpuset); id >= 0; id = hwloc_bitmap_next(core->cpuset, id)) {
    if (qb__cpu_allowed((unsigned) id)) return id;
  }
  return -1;
}

/* The k-th usable core's allowed PU (k wraps around the usable cores); -1 when none. */
static int qb__usable_pu(hwloc_topology_t topo, int k) {
  const int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  int usable = 0;
  for (int c = 0; c < ncores; c++) usable += qb__core_pu(hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, c)) >= 0;
  if (usable == 0) return -1;
  k %= usable;
  for (int c = 0; c < ncores; c++) {
    const int pu = qb__core_pu(hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, c));
    if (pu >= 0 && k-- == 0) return pu;
  }
  return -1;
}
#endif

void qb_topo_detect(qb_topo* t) {
  memset(t, 0, sizeof *t);
  qb_cpu_model(t->cpu_model, sizeof t->cpu_model);
#ifdef QB_HAVE_HWLOC
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0) {
    t->from_hwloc = true;
    t->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    t->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    t->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    t->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    for (int c = 0; c < t->cores; c++) {
      t->cores_usable += qb__core_pu(hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned) c)) >= 0;
    }
    t->l1d = qb__cache_size(topo, HWLOC_OBJ_L1CACHE);
    t->l2 = qb__cache_size(topo, HWLOC_OBJ_L2CACHE);
    t->l3 = qb__cache_size(topo, HWLOC_OBJ_L3CACHE);
    hwloc_topology_destroy(topo);
  }
#endif
  if (!t->from_hwloc) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    t->packages = 1;
    t->cores = t->pus = n > 0 ? (int) n : 1;
    t->numa_nodes = 1;
    pthread_once(&qb__allowed_once, qb__allowed_init);
    t->cores_usable = qb__allowed_known ? CPU_COUNT(&qb__allowed) : t->cores;
    long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE),
         l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    t->l1d = l1 > 0 ? (uint64_t) l1 : 0;
    t->l2 = l2 > 0 ? (uint64_t) l2 : 0;
    t->l3 = l3 > 0 ? (uint64_t) l3 : 0;
  }
  if (t->cores < 1) t->cores = 1;
  if (t->pus < 1) t->pus = t->cores;
  if (t->cores_usable < 1 || t->cores_usable > t->cores) t->cores_usable = t->cores;
  t->l1d_used = t->l1d ? t->l1d : 32 * 1024;
  t->l2_used = t->l2 ? t->l2 : 512 * 1024;
  t->l3_used = t->l3 ? t->l3 : t->l2_used;
}

static bool qb__parse_size(const char* s, uint64_t* out) {
  char* end;
  if (!isdigit((unsigned char) s[0])) return false;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || errno == ERANGE) return false;
  unsigned shift = 0;
  switch (toupper((unsigned char) *end)) {
    case 'K':
      shift = 10;
      end++;
      break;
    case 'M':
      shift = 20;
      end++;
      break;
    case 'G':
      shift = 30;
      end++;
      break;
    default:
      break;
  }
  /* Checked before the shift: 17179869216G must not wrap around to 32 GiB. */
  if (v > ((1ull << 40) >> shift)) return false;
  v <<= shift;
  if (*end == 'B' || *end == 'b') end++;
  if (*end != '\0' || v == 0 || v > (1ull << 40)) return false;
  *out = v;
  return true;
}

qb_status qb_topo_override(qb_topo* t, const char* spec, qb_error* err) {
  char buf[256];
  if (strlen(spec) >= sizeof buf) {
    return qb_fail(err, QB_USAGE, "--caches: the spec is %zu bytes long (at most %zu)", strlen(spec),
                   sizeof buf - 1);
  }
  snprintf(buf, sizeof buf, "%s", spec);
  uint64_t l1 = t->l1d_used, l2 = t->l2_used, l3 = t->l3_used;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char* eq = strchr(tok, '=');
    uint64_t v;
    if (eq == NULL) {
      return qb_fail(err, QB_USAGE, "--caches '%s': expected LEVEL=SIZE, e.g. L3=32M", spec);
    }
    *eq = '\0';
    if (!qb__parse_size(eq + 1, &v)) {
      return qb_fail(err, QB_USAGE, "--caches '%s': bad size '%s' (a positive number with K/M/G)", spec,
                     eq + 1);
    }
    if (strcasecmp(tok, "L1") == 0)
      l1 = v;
    else if (strcasecmp(tok, "L2") == 0)
      l2 = v;
    else if (strcasecmp(tok, "L3") == 0)
      l3 = v;
    else
      return qb_fail(err, QB_USAGE, "--caches '%s': unknown level '%s' (expected L1, L2 or L3)", spec, tok);
  }
  t->l1d_used = l1;
  t->l2_used = l2;
  t->l3_used = l3;
  t->overridden = true;
  return QB_OK;
}

#ifndef QB_HAVE_HWLOC
/* The k-th CPU the affinity allows (wrapping around), or k mod n without one. */
static int qb__nth_allowed_cpu(int k, long n) {
  pthread_once(&qb__allowed_once, qb__allowed_init);
  if (!qb__allowed_known) return (int) (k % n);
  k %= CPU_COUNT(&qb__allowed);
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &qb__allowed) && k-- == 0) return cpu;
  }
  return 0;
}
#endif

bool qb_topo_bind_thread(int core) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 0 || core < 0) return false;
#ifdef QB_HAVE_HWLOC
  hwloc_topology_t topo;
  bool ok = false;
  if (hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0) {
    const int pu = qb__usable_pu(topo, core);
    if (pu >= 0) {
      hwloc_cpuset_t set = hwloc_bitmap_alloc();
      if (set != NULL) {
        hwloc_bitmap_only(set, (unsigned) pu);
        ok = hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD) == 0;
        hwloc_bitmap_free(set);
      }
    }
    hwloc_topology_destroy(topo);
  }
  return ok;
#else
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(qb__nth_allowed_cpu(core, n), &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
#endif
}
