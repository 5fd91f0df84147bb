import axios from "axios";
import https from "node:https";

const client = axios.create({
  httpsAgent: new https.Agent({
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  }),
});
