import express4 from 'express4'
import { webhookSuite, type ExpressLike } from './webhookSuite'

webhookSuite('Express 4', express4 as unknown as ExpressLike)
