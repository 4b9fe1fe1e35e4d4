import { describeRedisTokenStore } from './redisStoreSuite'

describeRedisTokenStore('ioredis')
