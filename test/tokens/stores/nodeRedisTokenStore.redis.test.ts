import { describeRedisTokenStore } from './redisStoreSuite'

describeRedisTokenStore('node-redis')
