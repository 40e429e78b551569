/*
 * Listeners and connections. TCP on loopback (any address once remote_ops
 * names something, as TrouSerS does), IPv4 and IPv6, and a Unix socket
 * whose peers are identified with SO_PEERCRED.
 *
 * One thread per connection, with a small stack: a connection spends its
 * life waiting for its client, and TPM access is serialised by tpmdd
 * anyway, so threads are the simplest way to let parsing, persistent-
 * storage lookups and logging of many clients overlap. The number of
 * connections is capped (max_connections); one over the cap is accepted
 * and closed at once, with a log line, so the client sees a clean EOF.
 *
 * Threads outlive their connections: a thread whose client left waits a
 * while (TCSD_WORKER_IDLE_S) for the next one, so a short-lived context
 * (connect, OpenContext, one call, CloseContext) costs a wake-up rather
 * than a thread creation, a stack mapping and a thread exit. A new thread
 * is started only when no idle one is waiting; at most TCSD_MAX_IDLE
 * threads wait, the others exit as soon as their client leaves.
 *
 * Shutdown (SIGTERM, SIGINT): stop accepting, wake the idle connections
 * through a pipe every thread polls, let commands in flight finish and
 * send their replies, then release each connection's contexts.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "tcsd.h"

/* Listen backlog (TrouSerS: TCSD_MAX_SOCKETS_QUEUED 50). */
#define TCSD_LISTEN_BACKLOG 128
/*
 * Per-connection stack. Handlers keep a TPM command and response
 * (2 x 4 KiB) and small structures on the stack; 256 KiB leaves ample
 * room while 1024 connections reserve only 256 MiB of address space.
 */
#define TCSD_THREAD_STACK (256 * 1024)
/* Once a packet has begun, the rest must arrive within this time. */
#define TCSD_PACKET_TIMEOUT_MS 30000

#define MAX_LISTENERS 3
/* Idle threads waiting for a connection: how many, and for how long. */
#define TCSD_MAX_IDLE 16
#define TCSD_WORKER_IDLE_S 30

static struct {
	int fds[MAX_LISTENERS];
	size_t count;
	char unix_path[108];
	int stop_pipe[2];		/* readable once shutdown begins */
	atomic_bool stopping;
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* signalled when active or workers drop to 0 */
	pthread_cond_t work;		/* a connection was handed over, or shutdown */
	uint32_t active;		/* connections open */
	uint32_t max;
	uint32_t workers;		/* threads alive, serving or idle */
	uint32_t idle_workers;		/* threads waiting for a connection */
	/* Handed-over connections; never more than idle_workers. */
	struct tcsd_client *pending[TCSD_MAX_IDLE];
	uint32_t pending_head, pending_count;
} srv = {
	.stop_pipe = { -1, -1 },
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
};

/* ---- listeners ---- */

static int listen_tcp(int family, bool any, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;
	const char *what = family == AF_INET ? "IPv4" : "IPv6";

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(any ? INADDR_ANY : INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = any ? in6addr_any : in6addr_loopback;
		len = sizeof(*sin6);
	}
	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("%s socket: %s", what, strerror(errno));
		return -errno;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Replies go out at once; accepted sockets inherit this (Linux). */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, TCSD_LISTEN_BACKLOG) != 0) {
		int err = errno;

		log_warn("%s: cannot listen on %s port %u: %s", what,
			 any ? "any address" : "loopback", (unsigned int)port, strerror(err));
		close(fd);
		return -err;
	}
	log_info("listening on %s port %u (%s)", what, (unsigned int)port,
		 any ? "all addresses: remote_ops is set" : "loopback only");
	return fd;
}

/*
 * A stale socket file from a previous run is removed; a live one (another
 * tcsd answers) or a file that is not a socket is an error.
 */
static int remove_stale_socket(const char *path)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_error("%s exists and is not a socket; not replacing it", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		log_error("%s: another tcsd is already listening there", path);
		return -1;
	}
	if (unlink(path) != 0) {
		log_error("%s: cannot remove the stale socket: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The default directory under /run is created; others must exist. */
static int make_socket_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);

	if (strcmp(path, TCSD_DEFAULT_UNIX_SOCKET) != 0 || n == 0)
		return 0;
	memcpy(dir, path, n);
	dir[n] = '\0';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		log_error("%s: cannot create: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	if (make_socket_dir(path) != 0 || remove_stale_socket(path) != 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_error("unix socket: %s", strerror(errno));
		return -1;
	}
	/*
	 * Any local user may connect, as any local user may reach the TCP
	 * loopback port: the TPM's own authorisation protects what matters.
	 * The socket adds who is asking (peer credentials) to the logs.
	 */
	old = umask(0);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		umask(old);
		log_error("%s: cannot bind: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0666) != 0 || listen(fd, TCSD_LISTEN_BACKLOG) != 0) {
		log_error("%s: cannot listen: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	log_info("listening on unix socket %s", path);
	return fd;
}

int tcsd_server_open(const struct tcsd_config *conf)
{
	bool any = conf->remote_ops_groups != 0;
	int fd;

	srv.count = 0;
	srv.max = conf->max_connections;
	if (pipe2(srv.stop_pipe, O_CLOEXEC) != 0) {
		log_error("pipe: %s", strerror(errno));
		return -1;
	}
	if (!conf->disable_ipv4) {
		if ((fd = listen_tcp(AF_INET, any, conf->port)) < 0)
			goto fail;
		srv.fds[srv.count++] = fd;
	}
	if (!conf->disable_ipv6) {
		fd = listen_tcp(AF_INET6, any, conf->port);
		/* A host without IPv6 still serves IPv4, as TrouSerS does. */
		if (fd == -EAFNOSUPPORT || (fd == -EADDRNOTAVAIL && srv.count > 0))
			log_warn("IPv6 unavailable; serving IPv4 only");
		else if (fd < 0)
			goto fail;
		else
			srv.fds[srv.count++] = fd;
	}
	/*
	 * The Unix socket last: once it accepts connections every listener
	 * exists (a script may wait for it, then use TCP). A client that
	 * waits for the TCP port must wait for the Unix socket too.
	 */
	if (conf->unix_socket[0] != '\0') {
		if ((fd = listen_unix(conf->unix_socket)) < 0)
			goto fail;
		srv.fds[srv.count++] = fd;
		snprintf(srv.unix_path, sizeof(srv.unix_path), "%s", conf->unix_socket);
	}
	if (srv.count == 0) {
		log_error("no listener could be opened");
		goto fail;
	}
	return 0;
fail:
	tcsd_server_close();
	return -1;
}

void tcsd_server_close(void)
{
	for (size_t i = 0; i < srv.count; i++)
		close(srv.fds[i]);
	srv.count = 0;
	if (srv.unix_path[0] != '\0') {
		unlink(srv.unix_path);
		srv.unix_path[0] = '\0';
	}
}

/* ---- client accessors (tcsd.h) ---- */

TCS_CONTEXT_HANDLE tcsd_request_context(const struct tcsd_client *cl)
{
	return cl->req_ctx;
}

const char *tcsd_client_name(const struct tcsd_client *cl)
{
	return cl != NULL ? cl->name : "tcsd";
}

bool tcsd_client_is_local(const struct tcsd_client *cl)
{
	return cl->local;
}

bool tcsd_client_peer_cred(const struct tcsd_client *cl, pid_t *pid, uid_t *uid, gid_t *gid)
{
	if (!cl->is_unix)
		return false;
	if (pid != NULL)
		*pid = cl->pid;
	if (uid != NULL)
		*uid = cl->uid;
	if (gid != NULL)
		*gid = cl->gid;
	return true;
}

/* ---- one connection ---- */

static void describe_peer(struct tcsd_client *cl, const struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		cl->local = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
		snprintf(cl->name, sizeof(cl->name), "%s:%u", addr, ntohs(sin->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		cl->local = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
		snprintf(cl->name, sizeof(cl->name), "[%s]:%u", addr, ntohs(sin6->sin6_port));
	} else {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		cl->is_unix = true;
		cl->local = true;
		if (getsockopt(cl->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
			cl->pid = cred.pid;
			cl->uid = cred.uid;
			cl->gid = cred.gid;
			snprintf(cl->name, sizeof(cl->name), "unix pid %d uid %u gid %u",
				 (int)cred.pid, (unsigned int)cred.uid, (unsigned int)cred.gid);
		} else {
			cl->pid = -1;
			cl->uid = (uid_t)-1;
			cl->gid = (gid_t)-1;
			snprintf(cl->name, sizeof(cl->name), "unix (no credentials)");
		}
	}
}

enum rx { RX_OK, RX_EOF, RX_STOP, RX_ERROR };

/*
 * Reads exactly n bytes. Before the first byte of a packet (idle) the
 * wait is unbounded but shutdown interrupts it; inside a packet the
 * client has TCSD_PACKET_TIMEOUT_MS.
 */
static enum rx recv_all(struct tcsd_client *cl, uint8_t *p, size_t n, bool idle)
{
	size_t got = 0;
	/*
	 * Inside a packet the bytes are usually there already (clients send a
	 * packet in one write): try the receive first and poll only when it
	 * would block, which saves a system call per request.
	 */
	bool try_now = !idle;

	while (got < n) {
		struct pollfd pfd[2] = {
			{ .fd = cl->fd, .events = POLLIN },
			{ .fd = srv.stop_pipe[0], .events = POLLIN },
		};
		bool waiting_idle = idle && got == 0;
		ssize_t r;

		if (!try_now) {
			int rc = poll(pfd, waiting_idle ? 2 : 1,
				      waiting_idle ? -1 : TCSD_PACKET_TIMEOUT_MS);

			if (rc < 0 && errno == EINTR)
				continue;
			if (rc < 0)
				return RX_ERROR;
			if (rc == 0) {
				log_warn("%s: packet incomplete after %d s; closing", cl->name,
					 TCSD_PACKET_TIMEOUT_MS / 1000);
				return RX_ERROR;
			}
			if (waiting_idle && (pfd[1].revents & POLLIN) && !(pfd[0].revents & POLLIN))
				return RX_STOP;
		}
		r = recv(cl->fd, p + got, n - got, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
			try_now = false;
			continue;
		}
		try_now = true;
		if (r < 0) {
			log_debug("%s: receive failed: %s", cl->name, strerror(errno));
			return RX_ERROR;
		}
		if (r == 0) {
			if (got > 0 || !idle)
				log_warn("%s: connection closed in the middle of a packet", cl->name);
			return got == 0 && idle ? RX_EOF : RX_ERROR;
		}
		got += (size_t)r;
	}
	return RX_OK;
}

static int send_all(struct tcsd_client *cl, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = send(cl->fd, p, n, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			log_debug("%s: send failed: %s", cl->name, strerror(errno));
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void log_refused(const struct tcsd_client *cl, const char *why, int err)
{
	log_warn("%s: malformed packet (%s: %s); closing the connection", cl->name, why,
		 strerror(-err));
}

/* A header we cannot parse: one line in the log, an error reply, close. */
static void refuse_packet(struct tcsd_client *cl, const char *why, int err)
{
	uint8_t reply[TCSD_HDR_SIZE];

	log_refused(cl, why, err);
	tcsd_error_reply(reply, TCS_ERROR(TSS_E_INTERNAL_ERROR));
	send_all(cl, reply, sizeof(reply));
}

int tcsd_serve_packet(struct tcsd_client *cl, const uint8_t *pkt, size_t len, uint8_t **reply,
		      size_t *reply_len)
{
	struct tcsd_packet_reader in;
	int err;

	*reply = NULL;
	*reply_len = 0;
	if ((err = tcsd_reader_init(&in, pkt, len, true)) != 0) {
		log_refused(cl, "body", err);
		if ((*reply = malloc(TCSD_HDR_SIZE)) != NULL) {
			tcsd_error_reply(*reply, TCS_ERROR(TSS_E_INTERNAL_ERROR));
			*reply_len = TCSD_HDR_SIZE;
		}
		return err;
	}
	tcsd_dispatch(cl, &in, reply, reply_len);
	return 0;
}

/* Receives and answers one request; false when the connection ends. */
static bool serve_one(struct tcsd_client *cl)
{
	uint8_t hdr_bytes[TCSD_HDR_SIZE];
	struct tcsd_hdr hdr;
	uint8_t *pkt = NULL, *reply = NULL;
	size_t reply_len = 0;
	bool keep = false;
	int err;

	switch (recv_all(cl, hdr_bytes, sizeof(hdr_bytes), true)) {
	case RX_OK:
		break;
	case RX_EOF:
		log_debug("%s: disconnected", cl->name);
		return false;
	case RX_STOP:
	case RX_ERROR:
		return false;
	}
	/* The size is checked against the 1 MiB cap before anything is allocated. */
	if ((err = tcsd_hdr_decode(hdr_bytes, sizeof(hdr_bytes), &hdr, true)) != 0) {
		refuse_packet(cl, err == -E2BIG ? "size above the 1 MiB cap" : "header", err);
		return false;
	}
	if ((pkt = malloc(hdr.packet_size)) == NULL) {
		log_error("%s: out of memory for a %u-byte packet", cl->name, hdr.packet_size);
		return false;
	}
	memcpy(pkt, hdr_bytes, sizeof(hdr_bytes));
	if (recv_all(cl, pkt + TCSD_HDR_SIZE, hdr.packet_size - TCSD_HDR_SIZE, false) != RX_OK)
		goto out;
	err = tcsd_serve_packet(cl, pkt, hdr.packet_size, &reply, &reply_len);
	if (reply == NULL || send_all(cl, reply, reply_len) != 0 || err != 0)
		goto out;
	keep = !atomic_load(&srv.stopping);
out:
	free(reply);
	free(pkt);
	return keep;
}

static void serve_client(struct tcsd_client *cl)
{
	while (serve_one(cl))
		;
	close(cl->fd);
	tcsd_client_release_contexts(cl);
	log_debug("%s: connection closed", cl->name);
	free(cl->contexts);
	free(cl);

	pthread_mutex_lock(&srv.lock);
	if (--srv.active == 0)
		pthread_cond_broadcast(&srv.idle);
	pthread_mutex_unlock(&srv.lock);
}

/*
 * Waits for accept_one to hand over a connection. NULL when the thread
 * should end: shutdown, TCSD_WORKER_IDLE_S without work, or enough
 * threads already idle.
 */
static struct tcsd_client *next_client(void)
{
	struct tcsd_client *cl = NULL;
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += TCSD_WORKER_IDLE_S;
	pthread_mutex_lock(&srv.lock);
	if (srv.idle_workers >= TCSD_MAX_IDLE)
		goto out;
	srv.idle_workers++;
	while (srv.pending_count == 0 && !atomic_load(&srv.stopping)) {
		if (pthread_cond_clockwait(&srv.work, &srv.lock, CLOCK_MONOTONIC, &deadline) ==
		    ETIMEDOUT)
			break;
	}
	srv.idle_workers--;
	/* Taken even at shutdown: the connection is closed cleanly by serve_one. */
	if (srv.pending_count > 0) {
		cl = srv.pending[srv.pending_head];
		srv.pending_head = (srv.pending_head + 1) % TCSD_MAX_IDLE;
		srv.pending_count--;
	}
out:
	pthread_mutex_unlock(&srv.lock);
	return cl;
}

static void *client_thread(void *arg)
{
	struct tcsd_client *cl = arg;

	do
		serve_client(cl);
	while ((cl = next_client()) != NULL);

	/*
	 * Free this thread's OpenSSL state (its DRBGs) now: shutdown waits
	 * only for the count below, so the process may exit before the
	 * thread-exit handler that would free it has run.
	 */
	OPENSSL_thread_stop();
	pthread_mutex_lock(&srv.lock);
	if (--srv.workers == 0)
		pthread_cond_broadcast(&srv.idle);
	pthread_mutex_unlock(&srv.lock);
	return NULL;
}

/* Gives cl to an idle thread if one is waiting for work; false if none is. */
static bool hand_over(struct tcsd_client *cl)
{
	bool done = false;

	pthread_mutex_lock(&srv.lock);
	/* Each idle thread takes at most one queued connection before it sleeps again. */
	if (srv.pending_count < srv.idle_workers && srv.pending_count < TCSD_MAX_IDLE) {
		srv.pending[(srv.pending_head + srv.pending_count) % TCSD_MAX_IDLE] = cl;
		srv.pending_count++;
		pthread_cond_signal(&srv.work);
		done = true;
	}
	pthread_mutex_unlock(&srv.lock);
	return done;
}

static void accept_one(int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct tcsd_client *cl;
	pthread_attr_t attr;
	pthread_t tid;
	int fd, err;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		/* Out of descriptors: back off briefly instead of spinning. */
		if (errno == EMFILE || errno == ENFILE)
			usleep(100 * 1000);
		return;
	}
	if ((cl = calloc(1, sizeof(*cl))) == NULL) {
		log_error("out of memory for a connection");
		close(fd);
		return;
	}
	cl->fd = fd;
	describe_peer(cl, &ss);

	pthread_mutex_lock(&srv.lock);
	if (srv.active >= srv.max) {
		pthread_mutex_unlock(&srv.lock);
		log_warn("%s: refused, %u connections already open (max_connections)", cl->name,
			 srv.max);
		close(fd);
		free(cl);
		return;
	}
	srv.active++;
	pthread_mutex_unlock(&srv.lock);
	log_debug("%s: connected", cl->name);
	if (hand_over(cl))
		return;

	pthread_mutex_lock(&srv.lock);
	srv.workers++;
	pthread_mutex_unlock(&srv.lock);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, TCSD_THREAD_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&tid, &attr, client_thread, cl);
	pthread_attr_destroy(&attr);
	if (err != 0) {
		log_error("%s: cannot start a thread: %s", cl->name, strerror(err));
		close(fd);
		free(cl);
		pthread_mutex_lock(&srv.lock);
		srv.workers--;
		if (--srv.active == 0 || srv.workers == 0)
			pthread_cond_broadcast(&srv.idle);
		pthread_mutex_unlock(&srv.lock);
	}
}

int tcsd_server_run(int (*reload)(void))
{
	struct pollfd pfd[MAX_LISTENERS + 1];
	sigset_t mask;
	int sfd;

	/* Signals are read synchronously; every thread inherits the block. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < srv.count; i++)
		pfd[i] = (struct pollfd){ .fd = srv.fds[i], .events = POLLIN };
	pfd[srv.count] = (struct pollfd){ .fd = sfd, .events = POLLIN };

	for (;;) {
		int rc = poll(pfd, srv.count + 1, -1);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		if (pfd[srv.count].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					log_info("SIGHUP: reloading the configuration");
					reload();
				} else {
					log_info("%s: shutting down",
						 si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
					break;
				}
			}
		}
		for (size_t i = 0; i < srv.count; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(pfd[i].fd);
	}
	close(sfd);

	/* Stop accepting, wake idle connections, wait for commands in flight. */
	tcsd_server_close();
	atomic_store(&srv.stopping, true);
	if (write(srv.stop_pipe[1], "x", 1) != 1)
		log_warn("cannot wake the connections: %s", strerror(errno));
	pthread_mutex_lock(&srv.lock);
	/* Under the lock, so a thread about to wait for work sees the flag. */
	pthread_cond_broadcast(&srv.work);
	while (srv.active > 0 || srv.workers > 0)
		pthread_cond_wait(&srv.idle, &srv.lock);
	pthread_mutex_unlock(&srv.lock);
	close(srv.stop_pipe[0]);
	close(srv.stop_pipe[1]);
	srv.stop_pipe[0] = srv.stop_pipe[1] = -1;
	return 0;
}
