// Strings that mention a setting are messages, not settings.
const warning = "rejectUnauthorized: false is dangerous";
throw new Error('never pass { rejectUnauthorized: false } to https.Agent');
console.warn(`strictSSL: false hides the missing inspection CA`);
