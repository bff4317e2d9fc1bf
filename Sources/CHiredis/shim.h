#pragma once
#include <hiredis/hiredis.h>

/// redisCommand is variadic; Swift calls this fixed-argument form instead.
static inline redisReply *saas_redis_command_argv(redisContext *c, int argc, const char *const *argv, const size_t *argvlen) {
    return (redisReply *)redisCommandArgv(c, argc, (const char **)argv, argvlen);
}
