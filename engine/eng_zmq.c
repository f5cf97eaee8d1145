/*
 * eng_zmq.c - multipart DSV1 send/receive over libzmq (see eng_zmq.h).
 */
#include "devsurv/eng_zmq.h"

#include <errno.h>

void eng_zmq_in_close(struct eng_zmq_in *in)
{
    for (size_t i = 0; i < in->n; i++)
        zmq_msg_close(&in->msgs[i]);
    in->n = 0;
    in->truncated = false;
}

static void s_drain(void *sock)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    int more = 1;
    size_t len = sizeof more;
    while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more) {
        if (zmq_msg_recv(&m, sock, 0) < 0)
            break;
        len = sizeof more;
    }
    zmq_msg_close(&m);
}

int eng_zmq_recv(void *sock, struct eng_zmq_in *in, int flags)
{
    eng_zmq_in_close(in);
    for (;;) {
        zmq_msg_t *m = &in->msgs[in->n];
        zmq_msg_init(m);
        if (zmq_msg_recv(m, sock, in->n ? 0 : flags) < 0) {
            int e = errno;
            zmq_msg_close(m);
            eng_zmq_in_close(in);
            errno = e;
            return -1;
        }
        in->frames[in->n].p = zmq_msg_data(m);
        in->frames[in->n].n = zmq_msg_size(m);
        in->n++;
        if (!zmq_msg_more(m))
            return 0;
        if (in->n == ENG_ZMQ_MAX_FRAMES) {
            s_drain(sock);
            in->truncated = true;
            return 0;
        }
    }
}

int eng_zmq_send(void *sock, const void *rid, size_t rid_len,
                 const struct eng_wire_msg *m, int flags)
{
    struct ds_span f[ENG_WIRE_MAX_FRAMES];
    struct eng_wire_scratch scratch;
    size_t n = eng_wire_build(m, f, &scratch);
    if (n == 0) {
        errno = EINVAL;
        return -1;
    }
    if (rid && zmq_send(sock, rid, rid_len, flags | ZMQ_SNDMORE) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int more = i + 1 < n ? ZMQ_SNDMORE : 0;
        if (zmq_send(sock, f[i].p, f[i].n, flags | more) < 0)
            return -1;
    }
    return 0;
}
