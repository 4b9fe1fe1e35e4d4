import express4 from 'express4'
import { webhookSuite } from './webhookSuite'

webhookSuite('Express 4', express4)
