/*
 * MLOS local IPC wire protocol, version 1: the constants and the frame header shared by
 * mlos-core's IPC front end and the clients. docs/ipc.md is the full specification (the bodies of
 * every op, the shared-memory rules and the error model); this header only names its numbers.
 *
 * A connection is a stream (SOCK_STREAM) Unix domain socket. Every message in both directions is
 * one frame: a 32-byte header (mlos_ipc_header, little-endian) followed by `body_length` bytes.
 * A client may pipeline requests; replies carry the request's id and may come back in any order.
 * File descriptors (shared-memory regions) travel as SCM_RIGHTS ancillary data attached to the
 * first byte of the MLOS_IPC_OP_REGISTER_REGION frame's header.
 *
 * Pure C99, no dependencies; usable from C and C++.
 */
#ifndef MLOS_IPC_H_
#define MLOS_IPC_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLOS_IPC_MAGIC 0x534F4C4Du /* the bytes "MLOS" read as a little-endian uint32 */
#define MLOS_IPC_VERSION 1u
#define MLOS_IPC_HEADER_SIZE 32u
#define MLOS_IPC_DEFAULT_SOCKET "/tmp/mlos.sock"

/* Ops (mlos_ipc_header.op). Control ops have UTF-8 JSON bodies; INFER bodies are binary. */
#define MLOS_IPC_OP_HEALTH 1u            /* {} -> {"live", "ready", "version"} */
#define MLOS_IPC_OP_LIST 2u              /* {} -> {"models": [...]} as GET /models */
#define MLOS_IPC_OP_METADATA 3u          /* {"model"} -> KServe v2 model metadata */
#define MLOS_IPC_OP_REGISTER 4u          /* POST /models/register body -> its reply */
#define MLOS_IPC_OP_LOAD 5u              /* {"model"} -> {"model", "state"} */
#define MLOS_IPC_OP_UNLOAD 6u            /* {"model"} -> {"model", "state"} */
#define MLOS_IPC_OP_INFER 7u             /* binary request -> binary reply (docs/ipc.md) */
#define MLOS_IPC_OP_REGISTER_REGION 8u   /* {"size"} + one fd -> {"region", "size"} */
#define MLOS_IPC_OP_UNREGISTER_REGION 9u /* {"region"} -> {"region"} */

/* Reply status (mlos_ipc_header.status); requests send 0. A reply with a non-zero status has a
 * UTF-8 message as its body. */
#define MLOS_IPC_OK 0u
#define MLOS_IPC_INVALID_ARGUMENT 1u  /* the request is wrong; the message says where */
#define MLOS_IPC_NOT_FOUND 2u         /* unknown model or region */
#define MLOS_IPC_ALREADY_EXISTS 3u
#define MLOS_IPC_UNAVAILABLE 4u       /* queue full, shutting down, loading failed: retry later */
#define MLOS_IPC_OUT_OF_MEMORY 5u
#define MLOS_IPC_INTERNAL 6u
#define MLOS_IPC_UNSUPPORTED 7u       /* unknown op or protocol version */
#define MLOS_IPC_TOO_LARGE 8u         /* body_length over the server's limit; connection closed */

/* Where an INFER tensor's bytes are (docs/ipc.md, "Tensors"). */
#define MLOS_IPC_INLINE 0u /* the bytes follow in the frame */
#define MLOS_IPC_REGION 1u /* in a registered region: region id, offset, length */

/* INFER request flags. */
#define MLOS_IPC_OUTPUTS_TO_REGION 1u /* write outputs into the given region window */

typedef struct mlos_ipc_header {
  uint32_t magic;       /* MLOS_IPC_MAGIC */
  uint16_t version;     /* MLOS_IPC_VERSION */
  uint16_t op;          /* MLOS_IPC_OP_*; a reply repeats its request's op */
  uint64_t request_id;  /* chosen by the client, echoed in the reply */
  uint32_t status;      /* replies: MLOS_IPC_OK or an error code; requests: 0 */
  uint32_t flags;       /* reserved, 0 */
  uint64_t body_length; /* bytes following the header */
} mlos_ipc_header;

#ifdef __cplusplus
} /* extern "C" */
static_assert(sizeof(mlos_ipc_header) == MLOS_IPC_HEADER_SIZE, "the header is 32 bytes");
#endif

#endif /* MLOS_IPC_H_ */
