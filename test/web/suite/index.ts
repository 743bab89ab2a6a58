// Every web suite, in order: the index imports this once mocha is set up (a bundle has no file glob).
import './host.test';
import './findings.test';
import './policies.test';
import './queries.test';
import './limits.test';
import './untrusted.test';
