"""People and partners (points 15 to 18 of the work plan; the glossary has no single term for them).

- point 15: the sector departments of the leading group, their three-year action plans 2018-2020 with quarterly
  progress, their pairings with poor villages (脱贫共建), first secretaries and village work teams, and the
  performance disclosure (业绩公示) with the public's evaluations (社会监督评议);
- point 16: social forces and volunteers, and their contributions;
- point 17: the 10.17 Poverty Alleviation Day activities and commendations;
- point 18: the responsibility rules (责任制实施细则), who holds which responsibility, and the training sessions.
"""
