"""Practitioner tools without Flask: shortlists and their short links, the hand-over text's size,
QR codes, the Menu of Interventions and finding a family's hub from its postcode."""
